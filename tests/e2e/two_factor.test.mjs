// Two-factor sign-in as staff would meet it: an author sets up an
// authenticator app on their profile (reading the secret off the page, as
// they would type it into an app), signs out, and signs in again with a
// code; an admin requires it of editors and admins, and an editor is sent
// to set it up before anything else. axe checks the new pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { PASSWORD, launchBrowser, startVellum } from './harness.mjs';
import { passesAxe, signIn } from './admin.mjs';

let vellum;
let browser;

before(async () => {
  vellum = await startVellum({
    users: [
      { email: 'ana@clinic.org', name: 'Ana Ruiz', role: 'author' },
      { email: 'ben@clinic.org', name: 'Dr. Ben Okafor', role: 'admin' },
      { email: 'eve@clinic.org', name: 'Dr. Eve Park', role: 'editor' },
    ],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vellum?.stop();
});

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const char of text.replace(/\s/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

// What an authenticator app shows for `secret` at `time` (milliseconds):
// RFC 6238 with HMAC-SHA1, six digits, 30-second steps.
function appCode(secret, time) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(time / 30_000)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// Sets up an authenticator app on the open page (the profile or the
// set-up page); returns the secret as the page showed it.
async function setUpApp(page, what) {
  await page.locator('[data-testid="two-factor"][data-ready="true"]').waitFor();
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent()).trim();
  assert.match(secret, /^[A-Z2-7 ]{32,}$/);
  await page.getByRole('img', { name: /QR code/ }).waitFor();
  await passesAxe(page, `${what}, with the QR code`);
  await page.getByLabel('The 6-digit code the app shows now').fill(appCode(secret, Date.now()));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await page.getByTestId('recovery-codes').waitFor();
  assert.equal(await page.getByTestId('recovery-codes').getByRole('listitem').count(), 10);
  await page.getByTestId('two-factor-on').waitFor();
  await passesAxe(page, `${what}, with the recovery codes`);
  return secret;
}

test('the code helper gives the RFC 6238 test vector', () => {
  // "12345678901234567890" at 59 s: 94287082 with eight digits.
  assert.equal(appCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000), '287082');
});

test('an authenticator app set up on the profile is asked for at the next sign-in', async () => {
  const page = await signIn(browser, vellum.baseUrl, 'ana@clinic.org');
  await page.getByTestId('signed-in-as').click();
  await page.waitForURL(`${vellum.baseUrl}/admin/profile`);
  await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
  const secret = await setUpApp(page, 'the profile');

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(/\/admin\/login/);
  await page.getByLabel('Email').fill('ana@clinic.org');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${vellum.baseUrl}/admin/login/code`);
  await passesAxe(page, 'the sign-in code page');

  await page.getByLabel('Code').fill('000000' === appCode(secret, Date.now() + 30_000) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That code did not work.').waitFor();
  await passesAxe(page, 'the sign-in code page with its error');

  // The next step's code: accepted (apps and servers drift by a step), and
  // later than the step of the code that turned the app on.
  await page.getByLabel('Code').fill(appCode(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${vellum.baseUrl}/admin`);
  assert.equal(await page.getByTestId('signed-in-as').textContent(), 'Ana Ruiz');
  await page.close();
});

test('an admin requires two-factor sign-in and an editor sets it up before anything else', async () => {
  const admin = await signIn(browser, vellum.baseUrl, 'ben@clinic.org');
  await admin.getByRole('link', { name: 'Settings' }).click();
  await admin.waitForURL(`${vellum.baseUrl}/admin/settings`);
  await admin.getByLabel('Who must sign in with a second factor').selectOption('editors_and_admins');
  const policyForm = admin.locator('form', { has: admin.getByLabel('Who must sign in with a second factor') });
  await policyForm.getByRole('button', { name: 'Save' }).click();
  await admin.getByText('Two-factor sign-in saved.').waitFor();
  await passesAxe(admin, 'the Settings page');

  const editor = await (await browser.newContext()).newPage();
  await editor.goto(`${vellum.baseUrl}/admin/login`);
  await editor.getByLabel('Email').fill('eve@clinic.org');
  await editor.getByLabel('Password').fill(PASSWORD);
  await editor.getByRole('button', { name: 'Sign in' }).click();
  await editor.waitForURL(`${vellum.baseUrl}/admin/two-factor`);
  await editor.getByTestId('two-factor-required').waitFor();
  await passesAxe(editor, 'the two-factor set-up page');

  // Nothing else opens until it is set up: the server sends pages back,
  // and so does the admin's script when it moves between pages itself.
  await editor.goto(`${vellum.baseUrl}/admin/posts`);
  assert.equal(new URL(editor.url()).pathname, '/admin/two-factor');
  await editor.locator('[data-testid="two-factor"][data-ready="true"]').waitFor();
  const sentBack = new Promise((resolve) => {
    let left = false;
    editor.on('framenavigated', (frame) => {
      if (frame !== editor.mainFrame()) return;
      const path = new URL(frame.url()).pathname;
      if (path === '/admin/posts') left = true;
      else if (left && path === '/admin/two-factor') resolve();
    });
  });
  await editor.getByRole('link', { name: 'Posts' }).click();
  await sentBack;

  await setUpApp(editor, 'the two-factor set-up page');
  await editor.getByRole('link', { name: 'Continue to the dashboard' }).click();
  await editor.waitForURL(`${vellum.baseUrl}/admin`);
  await editor.goto(`${vellum.baseUrl}/admin/posts`);
  assert.equal(new URL(editor.url()).pathname, '/admin/posts');
  await editor.close();
  await admin.close();
});
