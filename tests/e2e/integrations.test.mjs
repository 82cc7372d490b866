// The integrations as their users meet them in the browser: an author
// makes an API token and a script uses it until it is revoked; an admin
// registers a webhook, sends a test event to a real receiver, checks its
// signature the documented way, and reads the delivery log. Both pages
// pass axe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { launchBrowser, startVellum } from './harness.mjs';
import { signIn as signInWith, passesAxe } from './admin.mjs';

let vellum;
let browser;

before(async () => {
  vellum = await startVellum({
    users: [
      { email: 'sam@clinic.org', name: 'Sam Rivera', role: 'author' },
      { email: 'admin@clinic.org', name: 'Clinic Admin', role: 'admin' },
    ],
    env: { VELLUM_WEBHOOKS_ALLOW_PRIVATE: 'true' },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vellum?.stop();
});

const signIn = (email) => signInWith(browser, vellum.baseUrl, email);

test('an author makes a token, a script writes a draft with it, and revoking it stops the script', async () => {
  const page = await signIn('sam@clinic.org');
  await page.getByRole('link', { name: 'API tokens' }).click();
  await page.getByRole('heading', { name: 'API tokens' }).waitFor();
  await page.waitForLoadState('networkidle');
  await page.getByLabel('Name').fill('Newsletter import');
  await page.getByLabel('Access').selectOption('write');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = await page.getByLabel('Token “Newsletter import”').inputValue();
  assert.match(secret, /^vellum_pat_[0-9a-f]{64}$/);

  const script = (init = {}) =>
    fetch(`${vellum.baseUrl}/api/v1/admin/posts`, {
      ...init,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    });
  const created = await script({ method: 'POST', body: JSON.stringify({ title: 'Imported from the newsletter' }) });
  assert.equal(created.status, 201);

  await page.goto(`${vellum.baseUrl}/admin/posts`);
  await page.getByRole('link', { name: 'Imported from the newsletter' }).waitFor();

  await page.goto(`${vellum.baseUrl}/admin/tokens`);
  const row = page.getByRole('row').filter({ hasText: 'Newsletter import' });
  await row.waitFor();
  assert.doesNotMatch(await page.content(), new RegExp(secret), 'the token is shown only once');
  assert.doesNotMatch(await row.textContent(), /never/, 'the last use is shown');
  await passesAxe(page, 'API tokens');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('cell', { name: 'revoked' }).waitFor();
  assert.equal((await script()).status, 401, 'a revoked token stops at once');
});

test('an admin registers a webhook, sends a test event, and the log shows it delivered', async () => {
  const received = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${receiver.address().port}/vellum`;
  try {
    const page = await signIn('admin@clinic.org');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.waitForLoadState('networkidle');

    await page.getByLabel('Address').fill('ftp://example.org/hook');
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await page.getByText('Use an http or https address.').waitFor();

    await page.getByLabel('Address').fill(hookUrl);
    await page.getByLabel('post.trashed').check();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const card = page.getByTestId('webhook').filter({ hasText: hookUrl });
    await card.waitFor();
    const secret = await card.getByLabel('Secret').inputValue();
    assert.match(await card.textContent(), /post\.published, post\.updated, post\.trashed/);

    await card.getByRole('button', { name: 'Send test event' }).click();
    for (let i = 0; i < 100 && received.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(received.length, 1, 'the receiver got the test event');
    const { headers, body } = received[0];
    assert.equal(headers['vellum-event'], 'ping');
    const fields = Object.fromEntries(headers['vellum-signature'].split(',').map((part) => part.split('=')));
    const expected = createHmac('sha256', secret).update(`${fields.t}.${body}`).digest();
    assert.ok(timingSafeEqual(expected, Buffer.from(fields.v1, 'hex')), 'the signature checks out');

    // The log fills in once the delivery is recorded.
    let delivered = false;
    for (let i = 0; i < 50 && !delivered; i += 1) {
      await page.reload();
      await page.waitForLoadState('networkidle');
      delivered = (await card.getByTestId('deliveries').getByRole('row').filter({ hasText: 'ping' }).count()) > 0
        && /delivered/.test(await card.getByTestId('deliveries').textContent());
    }
    assert.ok(delivered, 'the delivery log shows the ping as delivered');
    const row = card.getByTestId('deliveries').getByRole('row').filter({ hasText: 'ping' });
    assert.match(await row.textContent(), /200/);
    await passesAxe(page, 'Webhooks');

    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No webhooks yet.').waitFor();
  } finally {
    receiver.close();
  }
});
