// Passkeys as a clinic's staff would use them, with Chromium's virtual
// authenticator (the DevTools protocol's WebAuthn domain) standing in for
// a phone's or laptop's: add a passkey on the profile, sign out, sign in
// with the passkey and no password; a passkey made on another Vellum site
// is refused with one plain message.
//
// Browsers refuse an IP address as a passkey's site, so each Vellum is
// restarted with VELLUM_SITE_URL=http://localhost:PORT (a secure context,
// like https) and the browser uses that address.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, launchBrowser, startVellum } from './harness.mjs';
import { passesAxe } from './admin.mjs';

const REFUSED = 'That passkey did not sign you in. Try again, or use your email and password.';

let clinic;
let other;
let browser;

// A Vellum reached at http://localhost:PORT, its site URL.
async function startAtLocalhost(users) {
  const vellum = await startVellum({ users });
  const siteUrl = vellum.baseUrl.replace('127.0.0.1', 'localhost');
  await vellum.restart({ VELLUM_SITE_URL: siteUrl });
  return { vellum, siteUrl };
}

before(async () => {
  clinic = await startAtLocalhost([{ email: 'ana@clinic.org', name: 'Dr. Ana Ruiz', role: 'editor' }]);
  other = await startAtLocalhost([{ email: 'ana@clinic.org', name: 'Dr. Ana Ruiz', role: 'editor' }]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await clinic?.vellum.stop();
  await other?.vellum.stop();
});

// A page in a fresh context with its own virtual authenticator: a device
// that keeps passkeys and verifies its user (fingerprint, face or PIN).
async function pageWithAuthenticator() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { page, credentials };
}

async function signInWithPassword(page, siteUrl) {
  await page.goto(`${siteUrl}/admin/login`);
  await page.getByLabel('Email').fill('ana@clinic.org');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${siteUrl}/admin`);
  await page.getByTestId('signed-in-as').waitFor();
}

// Adds a passkey on the profile page, as the person would.
async function addPasskey(page, siteUrl, name) {
  await page.goto(`${siteUrl}/admin/profile`);
  const section = page.getByTestId('passkeys');
  const add = section.getByRole('button', { name: 'Add a passkey' });
  await add.and(page.locator(':enabled')).waitFor();
  await section.getByLabel('Name of the new passkey').fill(name);
  await section.getByLabel('Your password, or a code from your app').fill(PASSWORD);
  await add.click();
  await section.getByRole('status').filter({ hasText: `Passkey \u201c${name}\u201d added.` }).waitFor();
}

test('a person adds a passkey on the profile and signs in with it, no password', async () => {
  const { siteUrl } = clinic;
  const { page, credentials } = await pageWithAuthenticator();
  await signInWithPassword(page, siteUrl);
  await addPasskey(page, siteUrl, 'Work laptop');
  const row = page.getByTestId('passkey-list').getByRole('row').filter({ hasText: 'Work laptop' });
  await row.waitFor();
  assert.equal(await row.getByRole('cell').nth(2).textContent(), 'never', 'not used yet');
  await passesAxe(page, 'the profile with a passkey');
  const kept = await credentials();
  assert.equal(kept.length, 1);
  assert.equal(kept[0].rpId, 'localhost', 'bound to the site URL\u2019s host');
  assert.equal(kept[0].isResidentCredential, true, 'a discoverable passkey: no email needed to sign in');

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(`${siteUrl}/admin/login`);
  const withPasskey = page.getByRole('button', { name: 'Sign in with a passkey' });
  await withPasskey.waitFor();
  await passesAxe(page, 'the sign-in page with its passkey button');
  await withPasskey.click();
  await page.waitForURL(`${siteUrl}/admin`);
  assert.equal(await page.getByTestId('signed-in-as').textContent(), 'Dr. Ana Ruiz');

  await page.goto(`${siteUrl}/admin/profile`);
  const used = page.getByTestId('passkey-list').getByRole('row').filter({ hasText: 'Work laptop' });
  await used.waitFor();
  assert.notEqual(await used.getByRole('cell').nth(2).textContent(), 'never', 'its last use is shown');
});

test('a passkey made on another Vellum site is refused with one plain message', async () => {
  const { page, credentials } = await pageWithAuthenticator();
  // Ana has an account on another site on the same host name, and a
  // passkey there; this device keeps only that one.
  await signInWithPassword(page, other.siteUrl);
  await addPasskey(page, other.siteUrl, 'Phone');
  assert.equal((await credentials()).length, 1);

  await page.context().clearCookies();
  await page.goto(`${clinic.siteUrl}/admin/login`);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByRole('alert').filter({ hasText: REFUSED }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/admin/login', 'still on the sign-in page');
  await page.goto(`${clinic.siteUrl}/admin/profile`);
  assert.equal(new URL(page.url()).pathname, '/admin/login', 'nobody is signed in');
});
