// Accounts as a new clinic would try them: the first admin comes from the
// command line, signs in through the page, stays signed in across a server
// restart, and loses the session the moment another admin deactivates them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, launchBrowser, startVellum } from './harness.mjs';

let vellum;
let browser;

before(async () => {
  vellum = await startVellum({
    users: [
      { email: 'ana@clinic.org', name: 'Dr. Ana Ruiz', role: 'admin' },
      { email: 'ben@clinic.org', name: 'Dr. Ben Okafor', role: 'admin' },
    ],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vellum?.stop();
});

async function signIn(page, email) {
  await page.goto(`${vellum.baseUrl}/admin/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${vellum.baseUrl}/admin`);
  await page.getByTestId('signed-in-as').waitFor();
}

test('a session survives a restart and ends when the account is deactivated', async () => {
  const ana = await (await browser.newContext()).newPage();
  await signIn(ana, 'ana@clinic.org');

  await vellum.restart();
  await ana.goto(`${vellum.baseUrl}/admin/profile`);
  assert.equal(new URL(ana.url()).pathname, '/admin/profile', 'still signed in after the restart');
  assert.equal(await ana.getByTestId('signed-in-as').textContent(), 'Dr. Ana Ruiz');

  const ben = await (await browser.newContext()).newPage();
  await signIn(ben, 'ben@clinic.org');
  await ben.goto(`${vellum.baseUrl}/admin/users`);
  const row = ben.getByRole('row').filter({ hasText: 'ana@clinic.org' });
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await row.getByRole('cell', { name: 'Deactivated' }).waitFor();

  await ana.goto(`${vellum.baseUrl}/admin/profile`);
  assert.equal(new URL(ana.url()).pathname, '/admin/login', 'the session is gone');
});

test('the profile form saves and reports field errors beside the field', async () => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, 'ben@clinic.org');
  await page.goto(`${vellum.baseUrl}/admin/profile`);
  await page.getByLabel('Credentials').fill('MD, psychiatrist');
  await page.getByLabel('Avatar image address').fill('ftp://images.example.org/ben.jpg');
  await page.getByRole('button', { name: 'Save profile' }).click();
  const avatar = page.getByLabel('Avatar image address');
  await page.getByText("Enter the image's full address").waitFor();
  assert.equal(await avatar.getAttribute('aria-invalid'), 'true');
  const describedBy = await avatar.getAttribute('aria-describedby');
  assert.match(await page.locator(`#${describedBy.split(' ').pop()}`).textContent(), /full address/);

  await avatar.fill('https://images.example.org/ben.jpg');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Profile saved.').waitFor();
  await page.reload();
  assert.equal(await page.getByLabel('Credentials').inputValue(), 'MD, psychiatrist');
});
