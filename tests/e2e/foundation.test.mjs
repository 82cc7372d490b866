// The golden checks of the foundation: public pages run no script, the
// admin hydrates, unknown addresses get a real 404 page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, launchBrowser, startVellum } from './harness.mjs';

let vellum;
let browser;

before(async () => {
  vellum = await startVellum({
    users: [
      { email: 'admin@clinic.org', name: 'Dr. Ana Ruiz', role: 'admin' },
      { email: 'ben@clinic.org', name: 'Ben Okafor', role: 'author' },
    ],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vellum?.stop();
});

test('the home page requests no JavaScript and no wasm', async () => {
  const page = await browser.newPage();
  const requested = [];
  page.on('request', (request) => requested.push(request.url()));
  const response = await page.goto(`${vellum.baseUrl}/`);
  assert.equal(response.status(), 200);
  await page.waitForLoadState('networkidle');
  assert.equal(await page.locator('h1').textContent(), 'Vellum');
  const scripts = requested.filter((url) => /\.(m?js|wasm)(\?|$)/.test(url));
  assert.deepEqual(scripts, [], 'no script or wasm is downloaded');
  const executable = await page.$$eval('script', (elements) =>
    elements.filter((s) => !s.type || /javascript|module/.test(s.type)).length,
  );
  assert.equal(executable, 0, 'no executable <script> element on the page');
  await page.close();
});

test('sign in, the admin hydrates, sign out', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const wasm = page.waitForResponse((response) => response.url().endsWith('.wasm'));
  await page.goto(`${vellum.baseUrl}/admin`);
  assert.equal((await wasm).status(), 200);
  assert.equal(new URL(page.url()).pathname, '/admin/login', 'visitors are sent to sign in');

  await page.getByLabel('Email').fill('admin@clinic.org');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${vellum.baseUrl}/admin`);
  await page.getByTestId('signed-in-as').filter({ hasText: 'Dr. Ana Ruiz' }).waitFor();

  const probe = page.getByTestId('hydration-probe');
  await page.getByText("The editor's scripts are running.").waitFor();
  await probe.click();
  await probe.click();
  assert.equal(await probe.textContent(), 'Test button: clicked 2 times');
  assert.equal(await page.getByTestId('site-title').textContent(), 'Vellum');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/admin\/login/);
  await page.goto(`${vellum.baseUrl}/admin`);
  assert.equal(new URL(page.url()).pathname, '/admin/login', 'signed out for real');
  assert.deepEqual(errors, [], 'no script errors');
  await page.close();
});

test('five wrong passwords, then the sixth attempt is told to wait', async () => {
  const page = await browser.newPage();
  await page.goto(`${vellum.baseUrl}/admin/login`);
  await page.getByText('Sign in').first().waitFor();
  const alert = page.getByRole('alert').filter({ hasText: /./ });
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await page.getByLabel('Email').fill('ben@clinic.org');
    await page.getByLabel('Password').fill(`wrong password number ${attempt}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That email and password do not match an active account.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/login');
  }
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(/Too many attempts/).waitFor();
  assert.match(await alert.first().textContent(), /Too many attempts\. Please wait \d+ seconds/);
  await page.close();
});

test('an unknown address shows the 404 page with a search box', async () => {
  const page = await browser.newPage();
  const response = await page.goto(`${vellum.baseUrl}/no-such-page`);
  assert.equal(response.status(), 404);
  assert.equal(await page.locator('h1').textContent(), 'Page not found');
  const search = page.getByLabel('Search the articles');
  assert.equal(await search.count(), 1);
  await page.getByRole('link', { name: 'Go to the home page' }).click();
  await page.waitForURL(`${vellum.baseUrl}/`);
  await page.close();
});
