// What the admin's browser tests share: signing in through the page, the
// editor's readiness and save state, and an axe check.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PASSWORD } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

// A new browser context signed in as `email`, on a hydrated dashboard.
export async function signIn(browser, baseUrl, email) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${baseUrl}/admin/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/admin`);
  await page.getByTestId('signed-in-as').waitFor();
  await page.getByTestId('hydration-probe').and(page.locator(':enabled')).waitFor();
  return page;
}

// Starts a post from the dashboard; returns the editor's address.
export async function newPost(page, title) {
  await page.getByLabel('Title', { exact: true }).fill(title);
  await page.getByTestId('create-post').click();
  await page.waitForURL(/\/admin\/posts\/\d+$/);
  await editorReady(page);
  await saved(page);
  return page.url();
}

// The editor's scripts have taken over the server's HTML.
export async function editorReady(page) {
  await page.locator('[data-testid="editor"][data-ready="true"]').waitFor();
}

export async function saved(page) {
  await page.getByTestId('save-status').filter({ hasText: /^Saved$/ }).waitFor({ timeout: 20_000 });
}

// Submits the post in the editor for review. With items open in the
// readiness panel, the panel asks first, and the author submits anyway.
export async function submitForReview(page) {
  await page.locator('[data-testid="readiness"][data-checking="false"]').waitFor({ timeout: 20_000 });
  const open = await page.getByTestId('readiness-items').count();
  await page.getByTestId('transition-submit').click();
  if (open > 0) {
    await page.getByTestId('submit-anyway').getByRole('button', { name: 'Submit anyway' }).click();
  }
}

// axe is evaluated, not added as a <script>, so the page's policy holds.
export async function passesAxe(page, what) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(' ')})`);
  }, WCAG_A_AA);
  assert.deepEqual(violations, [], `${what}: axe found WCAG A/AA violations`);
}
