// Sessions you can see, in two browsers of one person: the profile lists
// both, marks its own, and ends the other, which is signed out at once;
// an admin sees that person's sessions from the Users page and ends them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, launchBrowser, startVellum } from './harness.mjs';
import { passesAxe, signIn } from './admin.mjs';

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

let vellum;
let browser;

before(async () => {
  vellum = await startVellum({
    users: [
      { email: 'ana@clinic.org', name: 'Dr. Ana Ruiz', role: 'author' },
      { email: 'ben@clinic.org', name: 'Ben Okafor', role: 'admin' },
    ],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vellum?.stop();
});

// A second browser, which says it is Firefox on Windows, signed in as `email`.
async function signInWithFirefox(email) {
  const page = await (await browser.newContext({ userAgent: FIREFOX_ON_WINDOWS })).newPage();
  await page.goto(`${vellum.baseUrl}/admin/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${vellum.baseUrl}/admin`);
  return page;
}

test('the profile lists both browsers and ends the other one', async () => {
  const desk = await signIn(browser, vellum.baseUrl, 'ana@clinic.org');
  const laptop = await signInWithFirefox('ana@clinic.org');

  await desk.goto(`${vellum.baseUrl}/admin/profile`);
  const section = desk.getByRole('region', { name: 'Where you are signed in' });
  const rows = section.getByTestId('session-row');
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  const mine = rows.filter({ hasText: '(this session)' });
  assert.match(await mine.textContent(), /Chrome on Linux/);
  assert.equal(await mine.getByRole('button').count(), 0, 'the current session has no End button');
  const other = rows.filter({ hasText: 'Firefox on Windows 10' });
  assert.match(await other.textContent(), /127\.0\.0\.1/);
  await passesAxe(desk, 'the profile with its sessions');

  await other.getByRole('button', { name: 'End the session on Firefox on Windows 10' }).click();
  await other.waitFor({ state: 'detached' });
  // The list is fetched again after the change: wait for its new rows,
  // not the moment between the old list and the new one.
  await mine.waitFor();
  assert.equal(await rows.count(), 1);

  await laptop.goto(`${vellum.baseUrl}/admin/profile`);
  assert.equal(new URL(laptop.url()).pathname, '/admin/login', 'the other browser is signed out');
  await desk.goto(`${vellum.baseUrl}/admin/profile`);
  assert.equal(new URL(desk.url()).pathname, '/admin/profile', 'this one is still signed in');
});

test('an admin ends all sessions of a person from the Users page', async () => {
  const ana = await signInWithFirefox('ana@clinic.org');
  const ben = await signIn(browser, vellum.baseUrl, 'ben@clinic.org');
  await ben.goto(`${vellum.baseUrl}/admin/users`);
  await ben.getByRole('link', { name: 'Sessions of Dr. Ana Ruiz' }).click();
  await ben.waitForURL(/\/admin\/users\/\d+\/sessions$/);
  await ben.getByTestId('sessions-of').filter({ hasText: 'Dr. Ana Ruiz (ana@clinic.org)' }).waitFor();
  const rows = ben.getByTestId('session-row');
  await rows.filter({ hasText: 'Firefox on Windows 10' }).first().waitFor();
  await passesAxe(ben, "a person's sessions");

  await ben.getByRole('button', { name: 'End all sessions' }).click();
  await ben.getByText('No active sessions.').waitFor();

  await ana.goto(`${vellum.baseUrl}/admin/profile`);
  assert.equal(new URL(ana.url()).pathname, '/admin/login', 'Ana is signed out everywhere');
});
