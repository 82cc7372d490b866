// Email as staff meet it, through a real SMTP server (aiosmtpd): "Forgot
// password?" from the sign-in page to a new password, with the link read
// from the message the server received; an invitation an admin sends;
// a notification's unsubscribe page; the profile's email choices and the
// admins' delivery log, each passing axe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, launchBrowser, startVellum } from './harness.mjs';
import { newPost, passesAxe, signIn, submitForReview } from './admin.mjs';
import { startSmtpSink } from './smtp.mjs';

let vellum;
let browser;
let smtp;

const NEW_PASSWORD = 'a fresh passphrase for ana';

before(async () => {
  smtp = await startSmtpSink();
  vellum = await startVellum({
    users: [
      { email: 'ana@clinic.org', name: 'Ana Ruiz', role: 'author' },
      { email: 'ada@clinic.org', name: 'Ada Admin', role: 'admin' },
      { email: 'eve@clinic.org', name: 'Eve Nurse', role: 'author' },
    ],
    env: { VELLUM_SMTP_URL: smtp.url, VELLUM_MAIL_FROM: 'news@clinic.example' },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vellum?.stop();
  await smtp?.stop();
});

// The path of the first link in a message's text that contains `part`
// (the message names the site's configured address; the test's server
// runs elsewhere).
function linkPath(message, part) {
  const url = message.text.split(/\s+/).find((word) => word.includes(part));
  assert.ok(url, `no ${part} link in:\n${message.text}`);
  return new URL(url).pathname;
}

test('forgot password: from the sign-in page to a new password, by email', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${vellum.baseUrl}/admin/login`);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.waitForURL(`${vellum.baseUrl}/admin/forgot-password`);
  await passesAxe(page, 'the forgot-password page');
  await page.getByLabel('Email').fill('ana@clinic.org');
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.getByTestId('reset-requested').waitFor();

  const message = await smtp.waitFor('ana@clinic.org');
  assert.match(message.subject, /^Reset your password for /);
  assert.ok(message.html.includes('Choose a new password'), 'an HTML part too');
  assert.ok(message.messageId, 'a Message-ID');
  assert.ok(message.date instanceof Date, 'a Date');
  await page.goto(`${vellum.baseUrl}${linkPath(message, '/admin/set-password/')}`);
  await passesAxe(page, 'the set-password page');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.waitForURL(`${vellum.baseUrl}/admin`);
  await page.getByTestId('signed-in-as').waitFor();

  // The old password no longer works; the new one does.
  const other = await (await browser.newContext()).newPage();
  await other.goto(`${vellum.baseUrl}/admin/login`);
  await other.getByLabel('Email').fill('ana@clinic.org');
  await other.getByLabel('Password').fill(PASSWORD);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await other.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
});

test('an admin invites a colleague, who gets the link by email', async () => {
  const admin = await signIn(browser, vellum.baseUrl, 'ada@clinic.org');
  await admin.goto(`${vellum.baseUrl}/admin/users`);
  await admin.getByLabel('Email').fill('nia@clinic.org');
  await admin.getByLabel('Name').fill('Nia Okafor');
  await admin.getByRole('button', { name: 'Add user' }).click();
  await admin.getByTestId('invitation-sent').waitFor();
  assert.equal(await admin.getByTestId('set-password-link').count(), 0, 'no link to copy: it was emailed');
  await passesAxe(admin, 'the Users page');
  const invitation = await smtp.waitFor('nia@clinic.org');
  assert.match(invitation.subject, /^Ada Admin invited you to \S/);
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${vellum.baseUrl}${linkPath(invitation, '/admin/set-password/')}`);
  await page.getByLabel('New password', { exact: true }).fill('nia chooses a long one');
  await page.getByLabel('Repeat the new password').fill('nia chooses a long one');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.waitForURL(`${vellum.baseUrl}/admin`);

  await admin.goto(`${vellum.baseUrl}/admin/email`);
  await admin.getByRole('cell', { name: 'nia@clinic.org' }).first().waitFor();
  await passesAxe(admin, 'the email delivery log');
});

test('a notification comes with a one-click unsubscribe; the profile chooses per kind', async () => {
  const eve = await signIn(browser, vellum.baseUrl, 'eve@clinic.org');
  await newPost(eve, 'Sleep and mood');
  await submitForReview(eve);
  const notification = await smtp.waitFor('ada@clinic.org');
  assert.equal(notification.subject, 'Eve Nurse submitted “Sleep and mood” for review.');
  const header = (key) => notification.headerLines.find((line) => line.key === key)?.line ?? '';
  assert.match(header('list-unsubscribe'), /^List-Unsubscribe: <https?:\/\/[^>]+\/mail\/unsubscribe\/[0-9a-f]{64}>$/);
  assert.equal(header('list-unsubscribe-post'), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');

  const page = await (await browser.newContext()).newPage();
  await page.goto(`${vellum.baseUrl}${linkPath(notification, '/mail/unsubscribe/')}`);
  await passesAxe(page, 'the unsubscribe page');
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await page.getByText('You will get no more emails for').waitFor();

  const ada = await signIn(browser, vellum.baseUrl, 'ada@clinic.org');
  await ada.goto(`${vellum.baseUrl}/admin/profile`);
  const section = ada.locator('#email-notifications');
  const submitted = section.getByRole('group', { name: 'An article is submitted for review (editors)' });
  assert.ok(await submitted.getByLabel('Off').isChecked(), 'the unsubscribe shows on the profile');
  const comments = section.getByRole('group', { name: 'A comment on an article you wrote or reviewed' });
  await comments.getByLabel('Daily digest').check();
  await section.getByRole('button', { name: 'Save email choices' }).click();
  await section.getByText('Email choices saved.').waitFor();
  await ada.reload();
  assert.ok(
    await ada.locator('#email-notifications')
      .getByRole('group', { name: 'A comment on an article you wrote or reviewed' })
      .getByLabel('Daily digest').isChecked(),
    'the choice is kept',
  );
  await passesAxe(ada, 'the profile with its email sections');
});
