// The clinic's whole site. A reader on a phone with scripts off finds the
// header and footer menus, the clinic's address, phone, hours and booking
// link, and the disclaimer under an article; the pages pass axe, every
// kind of public page passes the Nu HTML checker with no hydration marks,
// and their schema.org data passes a JSON-LD processor checked against
// the schema.org vocabulary. An admin fills in the clinic
// and reorders the header menu with the keyboard and by dragging; a page
// goes through review to publication at its own address.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, startVellum } from './harness.mjs';
import { editorReady, passesAxe, saved, signIn, submitForReview } from './admin.mjs';

const require = createRequire(import.meta.url);
const VNU_JAR = require('vnu-jar');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// A phone with scripts off, as the menus must work there. Checks that run
// a script themselves (axe, reading JSON-LD) use the same phone with
// scripts on and the page's policy bypassed, as reading.test.mjs does.
const PHONE = { viewport: { width: 360, height: 740 }, javaScriptEnabled: false };
const PHONE_CHECKS = { viewport: { width: 360, height: 740 }, bypassCSP: true };

let demo;
let site;
let browser;
let scratch;

before(async () => {
  process.env.VELLUM_DEMO = 'true';
  try {
    demo = await startVellum();
  } finally {
    delete process.env.VELLUM_DEMO;
  }
  site = await startVellum({
    users: [
      { email: 'admin@clinic.org', name: 'Site Admin', role: 'admin' },
      { email: 'nora@clinic.org', name: 'Nora Lindqvist', role: 'author' },
      { email: 'maya@clinic.org', name: 'Maya Patel', role: 'editor' },
    ],
  });
  browser = await launchBrowser();
  scratch = mkdtempSync(path.join(tmpdir(), 'vellum-site-'));
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  await site?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// The Nu HTML checker's errors for the page at `address`, as served.
async function nuErrors(address) {
  const html = await (await fetch(address)).text();
  const file = path.join(scratch, `${new URL(address).pathname.replace(/\W+/g, '_') || 'home'}.html`);
  writeFileSync(file, html);
  const run = spawnSync('java', ['-jar', VNU_JAR, '--errors-only', '--format', 'json', file], { encoding: 'utf8' });
  const report = JSON.parse(run.stderr || run.stdout || '{"messages":[]}');
  return report.messages.map((message) => `${message.lastLine}: ${message.message}`);
}

// The Nu HTML checker's errors for several pages in one run (one Java
// start), by address. Each page must also come without Leptos's hydration
// mark `<!>`, which the checker reports as a "Bogus comment" error.
async function nuErrorsOf(addresses, expectedStatus) {
  const files = new Map();
  for (const address of addresses) {
    const response = await fetch(address);
    assert.equal(response.status, expectedStatus(address), address);
    const html = await response.text();
    assert.ok(!html.includes('<!>'), `no hydration marks in ${address}`);
    const file = path.join(scratch, `nu-${files.size}.html`);
    writeFileSync(file, html);
    files.set(file, address);
  }
  const run = spawnSync('java', ['-jar', VNU_JAR, '--errors-only', '--format', 'json', ...files.keys()], {
    encoding: 'utf8',
  });
  const report = JSON.parse(run.stderr || run.stdout || '{"messages":[]}');
  const errors = Object.fromEntries(addresses.map((address) => [address, []]));
  for (const message of report.messages) {
    const address = files.get(fileURLToPath(message.url)) ?? message.url;
    (errors[address] ??= []).push(`${message.lastLine}: ${message.message}`);
  }
  return errors;
}

async function jsonLdBlocks(page) {
  return page.$$eval('script[type="application/ld+json"]', (blocks) => blocks.map((block) => JSON.parse(block.textContent)));
}

test('a reader on a phone without scripts finds the menus, the clinic and the disclaimer', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await page.goto(`${demo.baseUrl}/`);
    const menu = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    const labels = await menu.allTextContents();
    assert.ok(labels.length >= 3, `the demo's header menu: ${labels}`);
    for (const box of await Promise.all((await menu.all()).map((link) => link.boundingBox()))) {
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, 'every header item is on the screen, none hidden');
      assert.ok(box.height >= 24, 'a target a finger can hit');
    }
    const footer = page.locator('footer');
    await footer.getByText('Riverside Family Clinic').first().waitFor();
    assert.match(await footer.getByRole('link', { name: /555/ }).getAttribute('href'), /^tel:\+1555\d+$/);
    assert.ok((await footer.locator('time[datetime]').count()) >= 10, 'opening and closing times');
    assert.equal(await footer.getByRole('link', { name: 'Book an appointment' }).count(), 1);
    assert.ok((await footer.getByRole('navigation', { name: 'Footer' }).getByRole('link').count()) >= 2);

    // A header item leads to its page.
    const first = labels[0].trim();
    await menu.first().click();
    await page.waitForLoadState('load');
    assert.equal((await page.locator('h1').textContent()).trim(), first, 'the menu item opens its page');
    const pageAddress = page.url();

    // An article: the disclaimer at its end.
    await page.goto(`${demo.baseUrl}/`);
    await page.locator('.post-card h2 a').first().click();
    await page.waitForLoadState('load');
    await page.locator('aside.disclaimer').getByText('general information').waitFor();
    const articleAddress = page.url();

    const checks = await (await browser.newContext(PHONE_CHECKS)).newPage();
    await checks.goto(`${demo.baseUrl}/`);
    const width = await checks.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `nothing wider than the phone (${width} px)`);
    await passesAxe(checks, 'home page on a phone');
    await checks.goto(pageAddress);
    await passesAxe(checks, `the "${first}" page`);
    await checks.goto(articleAddress);
    const blocks = await jsonLdBlocks(checks);
    const clinic = blocks[0]['@graph'][0];
    assert.equal(clinic['@type'], 'MedicalClinic');
    const article = blocks.find((block) => block['@type'] === 'BlogPosting');
    assert.equal(article.publisher['@id'], clinic['@id'], 'the clinic publishes the article');
    await checks.context().close();
  } finally {
    await context.close();
  }
});

test('a page, the footer and an article with sources pass axe, the Nu HTML checker and schema.org', async () => {
  const context = await browser.newContext(PHONE_CHECKS);
  const page = await context.newPage();
  try {
    // The demo article that cites the most sources.
    await page.goto(`${demo.baseUrl}/sitemap.xml`);
    const addresses = await page.evaluate(() => [...document.querySelectorAll('loc')].map((loc) => loc.textContent));
    const local = (address) => `${demo.baseUrl}${new URL(address).pathname}`;
    let withSources;
    for (const address of addresses.filter((a) => a.includes('/posts/'))) {
      await page.goto(local(address));
      if ((await page.locator('section.sources li').count()) >= 2) {
        withSources = local(address);
        break;
      }
    }
    assert.ok(withSources, 'the demo has an article with sources');
    await passesAxe(page, 'an article with sources');
    const links = await page.locator('section.sources a[href^="https://"]').evaluateAll((all) => all.map((a) => a.href));
    assert.ok(links.some((href) => /^https:\/\/(doi\.org|pubmed\.ncbi\.nlm\.nih\.gov)\//.test(href)), `${links}`);

    const about = addresses.map(local).find((address) => /\/about-us$/.test(address));
    assert.ok(about, 'the demo About page is in the sitemap');
    for (const address of [`${demo.baseUrl}/`, about, withSources]) {
      assert.deepEqual(await nuErrors(address), [], `the Nu HTML checker on ${address}`);
    }

    const collected = [];
    for (const address of [`${demo.baseUrl}/`, about, withSources]) {
      await page.goto(address);
      collected.push(...(await jsonLdBlocks(page)));
    }
    const file = path.join(scratch, 'json-ld.json');
    writeFileSync(file, JSON.stringify(collected));
    const checked = spawnSync(path.join(repoRoot, 'tests', 'jsonld', 'check.sh'), [file], { encoding: 'utf8' });
    assert.equal(checked.status, 0, `schema.org check:\n${checked.stdout}${checked.stderr}`);
    const article = collected.find((block) => block['@type'] === 'BlogPosting');
    assert.ok(article.citation.length >= 2, 'the sources are citations');
  } finally {
    await context.close();
  }
});

test('every kind of public page passes the Nu HTML checker and links a style sheet kept for a year', async () => {
  const base = demo.baseUrl;
  const home = await (await fetch(`${base}/`)).text();
  const first = (pattern) => {
    const found = home.match(pattern);
    assert.ok(found, `the home page links ${pattern}`);
    return `${base}${found[1]}`;
  };
  const search = `${base}/search?q=sleep`;
  assert.match(await (await fetch(search)).text(), /class="post-card"/, 'the search finds articles');
  const missing = `${base}/no-such-page`;
  const addresses = [
    `${base}/`,
    `${base}/?page=2`,
    first(/href="(\/posts\/[^"]+)"/),
    first(/href="(\/authors\/[^"]+)"/),
    first(/href="(\/tags\/[^"]+)"/),
    search,
    `${base}/about-us`,
    missing,
  ];
  const errors = await nuErrorsOf(addresses, (address) => (address === missing ? 404 : 200));
  assert.deepEqual(errors, Object.fromEntries(addresses.map((address) => [address, []])), 'the Nu HTML checker');

  // The style sheet under a name made from its bytes: the same bytes as
  // /pkg/vellum.css, for a year.
  const sheet = home.match(/<link rel="stylesheet" href="(\/assets\/vellum-[0-9a-f]{16}\.css)">/);
  assert.ok(sheet, 'the home page links the hashed style sheet');
  const hashed = await fetch(`${base}${sheet[1]}`);
  assert.equal(hashed.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const plain = await fetch(`${base}/pkg/vellum.css`);
  assert.equal(await hashed.text(), await plain.text());
  // No 404 in the console of a browser asking for the icon.
  const icon = await fetch(`${base}/favicon.ico`);
  assert.equal(icon.status, 200);
  assert.equal(icon.headers.get('content-type'), 'image/x-icon');
});

test('an admin fills in the clinic and reorders the header menu with the keyboard and by dragging', async () => {
  const page = await signIn(browser, site.baseUrl, 'admin@clinic.org');
  // Through the admin's own link: the page is already running its script,
  // which the menus editor needs.
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('heading', { name: 'The clinic' }).waitFor();

  const clinic = page.locator('form', { has: page.getByRole('heading', { name: 'The clinic' }) });
  await clinic.getByLabel('Clinic name').fill('Harbour Health');
  await clinic.getByLabel('Phone').fill('+44 20 7946 0958');
  const monday = clinic.getByRole('group', { name: 'Monday' });
  await monday.getByLabel('Opens').fill('17:00');
  await monday.getByLabel('Closes').fill('09:00');
  await clinic.getByRole('button', { name: "Save the clinic's details" }).click();
  await monday.getByText('the closing time must come after the opening time').waitFor();
  await monday.getByLabel('Opens').fill('09:00');
  await monday.getByLabel('Closes').fill('17:00');
  await clinic.getByRole('button', { name: "Save the clinic's details" }).click();
  await clinic.getByText('Clinic details saved.').waitFor();

  const menus = page.locator('form', { has: page.getByRole('heading', { name: 'Menus' }) });
  const header = menus.getByRole('region', { name: 'Header menu' });
  for (const [label, target] of [['Book', 'https://book.harbour.example/'], ['Feed', '/feed.xml']]) {
    await menus.getByRole('button', { name: 'Add an item to the header menu' }).click();
    const item = header.getByRole('listitem').last();
    await item.getByLabel('Label').fill(label);
    await item.getByLabel('Leads to').selectOption('url');
    await item.getByLabel('Slug or address').fill(target);
  }
  await menus.getByRole('button', { name: 'Save the menus' }).click();
  await menus.getByText('Menus saved.').waitFor();

  // Keyboard only: focus "Move Feed up" and press Enter.
  await header.getByRole('button', { name: 'Move Feed up' }).focus();
  await page.keyboard.press('Enter');
  await menus.getByText('Feed moved to position 1 of 2.').waitFor();
  const resaved = page.waitForResponse((response) => /save_menus/i.test(response.url()));
  await menus.getByRole('button', { name: 'Save the menus' }).click();
  assert.equal((await resaved).status(), 200);
  await passesAxe(page, 'the settings page');

  const reader = await (await browser.newContext(PHONE)).newPage();
  const headerLinks = async () => {
    await reader.goto(`${site.baseUrl}/`);
    return reader.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
  };
  assert.deepEqual(await headerLinks(), ['Feed', 'Book'], 'the order the admin chose');

  // Or with the mouse: Book's handle dropped on the first item.
  const items = header.getByRole('listitem');
  await items.nth(1).locator('.drag-handle').dragTo(items.nth(0));
  await menus.getByText('Moved to position 1.').waitFor();
  assert.equal(await items.nth(0).getByLabel('Label').inputValue(), 'Book');
  const dragged = page.waitForResponse((response) => /save_menus/i.test(response.url()));
  await menus.getByRole('button', { name: 'Save the menus' }).click();
  assert.equal((await dragged).status(), 200);
  assert.deepEqual(await headerLinks(), ['Book', 'Feed'], 'the order after dragging');
  await reader.locator('footer').getByText('Harbour Health').waitFor();
  assert.equal(await reader.locator('footer a[href="tel:+442079460958"]').count(), 1);
  await reader.context().close();
  await page.context().close();
});

async function status(page, text) {
  await page.getByTestId('post-status').filter({ hasText: text }).waitFor({ timeout: 10_000 });
}

test('a page goes through review to publication, and readers find it at its own address', async () => {
  const nora = await signIn(browser, site.baseUrl, 'nora@clinic.org');
  await nora.locator('#field-title').fill('Our team');
  await nora.getByTestId('create-page').click();
  await nora.waitForURL(/\/admin\/posts\/\d+$/);
  const editorUrl = nora.url();
  await editorReady(nora);
  await saved(nora);
  await nora.getByTestId('body').fill('Our nurses and physicians.\n\n## Nurses\n\nSam Rivera runs the clinics.');
  await saved(nora);
  await submitForReview(nora);
  await status(nora, 'In review');

  const maya = await signIn(browser, site.baseUrl, 'maya@clinic.org');
  await maya.goto(editorUrl);
  await editorReady(maya);
  await status(maya, 'In review');
  await maya.getByTestId('transition-approve').click();
  await status(maya, 'Approved');
  await maya.getByTestId('transition-publish_now').click();
  await status(maya, 'Published');
  const publicPath = await maya.getByTestId('public-link').getAttribute('href');
  assert.equal(publicPath, '/our-team', 'a page lives at the top of the site');

  const reader = await (await browser.newContext(PHONE_CHECKS)).newPage();
  const response = await reader.goto(`${site.baseUrl}${publicPath}`);
  assert.equal(response.status(), 200);
  assert.equal(await reader.locator('h1').textContent(), 'Our team');
  await reader.getByRole('heading', { name: 'Nurses' }).waitFor();
  assert.equal(await reader.getByTestId('byline').count(), 0, 'no byline');
  assert.equal(await reader.locator('main time').count(), 0, 'no date');
  assert.equal(await reader.locator('a[rel="tag"]').count(), 0, 'no tags');
  await passesAxe(reader, 'a page');
  await reader.goto(`${site.baseUrl}/`);
  assert.equal(await reader.getByRole('link', { name: 'Our team' }).count(), 0, 'not among the articles');
  const sitemap = await (await fetch(`${site.baseUrl}/sitemap.xml`)).text();
  assert.match(sitemap, /<loc>[^<]*\/our-team<\/loc>/);
  await reader.context().close();
  await nora.context().close();
  await maya.context().close();
});
