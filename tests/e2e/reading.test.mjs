// Reading the blog as a visitor does: the home page, an article, its
// author, a tag, a search, a mistyped address. On every page axe-core
// checks WCAG 2.0, 2.1 and 2.2 A and AA, and nothing runs: no script or
// wasm is downloaded and no <script> element could execute (the JSON-LD
// data block on article pages is data, not code). Phones are read in light
// mode, desktops in dark mode; then a site with its own accent colour and a
// call to action under a long article, in both.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PASSWORD, launchBrowser, startVellum } from './harness.mjs';
import { submitForReview } from './admin.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

const PHONE_LIGHT = { viewport: { width: 390, height: 844 }, colorScheme: 'light' };
const DESKTOP_DARK = { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' };

let demo;
let browser;

before(async () => {
  // The demo content: a clinic's reviewed articles with authors, tags and
  // covers. The harness passes the environment on to `vellum serve`.
  process.env.VELLUM_DEMO = 'true';
  try {
    demo = await startVellum();
  } finally {
    delete process.env.VELLUM_DEMO;
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

// A reader's browser. Public pages forbid every script (script-src 'none');
// bypassing the policy lets the test run axe, and nothing else changes.
async function reader(options) {
  const context = await browser.newContext({ ...options, bypassCSP: true });
  const requested = [];
  context.on('request', (request) => requested.push(request.url()));
  const page = await context.newPage();
  return { context, page, requested };
}

// Goes to a page by doing `action` (a click, a form, a `goto`) and waits
// until it has finished loading; returns the main document's response.
async function visit({ page, requested }, action) {
  requested.length = 0;
  const response = page.waitForResponse(
    (candidate) => candidate.request().isNavigationRequest() && candidate.request().frame() === page.mainFrame(),
  );
  response.catch(() => {}); // awaited below; no unhandled rejection if `action` throws
  await action();
  const navigated = await response;
  await page.waitForLoadState('load');
  await page.waitForLoadState('networkidle');
  return navigated;
}

function describe(violations) {
  return violations
    .map((violation) => {
      const more = violation.nodes.length > 5 ? `\n    … and ${violation.nodes.length - 5} more` : '';
      const nodes = violation.nodes
        .slice(0, 5)
        .map((node) => {
          const summary = node.summary.replace(/\n/g, '\n      ');
          return `    at ${node.target.join(' ')}\n      ${node.html}\n      ${summary}`;
        })
        .join('\n');
      return `  [${violation.impact}] ${violation.id}: ${violation.help}\n    ${violation.helpUrl}\n${nodes}${more}`;
    })
    .join('\n');
}

// The checks every public page must pass, named `what` in failures.
async function audit({ page, requested }, what) {
  const downloaded = requested.filter((url) => /\.(m?js|wasm)$/.test(new URL(url).pathname));
  assert.deepEqual(downloaded, [], `${what}: no script or wasm is downloaded`);
  const scripts = await page.$$eval('script', (elements) =>
    elements.map((script) => ({ type: script.type, src: script.src })),
  );
  const executable = scripts.filter((script) => script.type !== 'application/ld+json');
  assert.deepEqual(executable, [], `${what}: no executable <script> element, only JSON-LD data`);

  const { width, scrollWidth } = await page.evaluate(() => ({
    width: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
  }));
  assert.ok(scrollWidth <= width, `${what}: nothing is wider than the ${width} px screen (${scrollWidth} px)`);

  // axe is evaluated, not added as a <script>, so the page keeps none.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      helpUrl: violation.helpUrl,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String),
        html: node.html.slice(0, 200),
        summary: node.failureSummary ?? '',
      })),
    }));
  }, WCAG_A_AA);
  assert.equal(violations.length, 0, `${what}: axe found WCAG A/AA violations:\n${describe(violations)}`);
}

// home → an article → its author → a tag → search → a missing page.
async function readTheBlog(options, label) {
  const visitor = await reader(options);
  const { page } = visitor;
  const base = demo.baseUrl;
  try {
    const home = await visit(visitor, () => page.goto(`${base}/`));
    assert.equal(home.status(), 200);
    assert.ok((await page.locator('.post-card').count()) >= 3, 'the demo has published articles');
    await audit(visitor, `${label} home page`);

    const title = (await page.locator('.post-card h2 a').first().textContent()).trim();
    const post = await visit(visitor, () => page.locator('.post-card h2 a').first().click());
    assert.equal(post.status(), 200);
    assert.equal((await page.locator('h1').textContent()).trim(), title);
    await page.getByTestId('reviewed-by').waitFor();
    assert.equal(
      await page.locator('script[type="application/ld+json"]').count(),
      2,
      'the site and the post describe themselves',
    );
    await audit(visitor, `${label} article "${title}"`);

    const author = (await page.locator('.post-header a[rel="author"]').first().textContent()).trim();
    const profile = await visit(visitor, () => page.locator('.post-header a[rel="author"]').first().click());
    assert.equal(profile.status(), 200);
    assert.ok((await page.locator('h1').textContent()).startsWith(author), 'the author page names them');
    await audit(visitor, `${label} author page of ${author}`);

    const tag = (await page.locator('a[rel="tag"]').first().textContent()).trim();
    const tagged = await visit(visitor, () => page.locator('a[rel="tag"]').first().click());
    assert.equal(tagged.status(), 200);
    assert.equal((await page.locator('h1').textContent()).trim(), tag);
    await audit(visitor, `${label} tag page "${tag}"`);

    // A word from the article's title, searched for as a reader would.
    const word = title.split(/[^A-Za-z]+/).sort((a, b) => b.length - a.length)[0].toLowerCase();
    await visit(visitor, () => page.getByRole('link', { name: 'Search', exact: true }).click());
    await page.getByLabel('Search the articles').fill(word);
    const results = await visit(visitor, () => page.getByRole('button', { name: 'Search' }).click());
    assert.equal(results.status(), 200);
    assert.equal(new URL(page.url()).searchParams.get('q'), word);
    assert.match(await page.getByTestId('search-summary').textContent(), /match/);
    await page.getByRole('link', { name: title, exact: true }).waitFor();
    assert.ok((await page.locator('.snippet mark').count()) >= 1, 'the matching words are marked');
    await audit(visitor, `${label} search results for "${word}"`);

    const missing = await visit(visitor, () => page.goto(`${base}/no-such-page`));
    assert.equal(missing.status(), 404);
    assert.equal(await page.locator('h1').textContent(), 'Page not found');
    await audit(visitor, `${label} 404 page`);
  } finally {
    await visitor.context.close();
  }
}

test('a reader on a phone, in light mode: every page passes axe and runs no script', async () => {
  await readTheBlog(PHONE_LIGHT, 'phone, light:');
});

test('a reader on a desktop, in dark mode: every page passes axe and runs no script', async () => {
  await readTheBlog(DESKTOP_DARK, 'desktop, dark:');
});

// Everything Markdown can put in an article, and the call to action.
const LONG_ARTICLE = [
  'Blood pressure is the force of blood against the walls of your arteries;',
  'see [the NHS](https://www.nhs.uk/) for more.[^1]',
  '',
  '## What the numbers mean',
  '',
  'Two numbers, such as `120/80`, measured in millimetres of mercury.',
  '',
  '| Reading | Systolic | Diastolic | What to do |',
  '|---|---|---|---|',
  '| Normal | below 120 | below 80 | Keep your habits |',
  '| High | 130 or more | 80 or more | Talk to your clinician |',
  '',
  '### At home',
  '',
  '1. Sit quietly for five minutes.',
  '2. Rest your arm at heart level.',
  '   - Use the same arm each time.',
  '',
  '> Write every reading down and bring the list to your visit.',
  '',
  '## Living with it',
  '',
  '```',
  'Morning: 128/82',
  'Evening: 124/79',
  '```',
  '',
  '## When to call us',
  '',
  '- A reading above 180/120',
  '- Chest pain or shortness of breath',
  '',
  '[^1]: Reviewed against the 2024 guidelines.',
].join('\n');

test("a site's own accent and call to action pass axe in light and dark", async () => {
  const vellum = await startVellum({
    users: [{ email: 'maya@clinic.org', name: 'Dr. Maya Patel', role: 'admin' }],
  });
  try {
    const admin = await (await browser.newContext()).newPage();
    await admin.goto(`${vellum.baseUrl}/admin/login`);
    await admin.getByLabel('Email').fill('maya@clinic.org');
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.waitForURL(`${vellum.baseUrl}/admin`);
    await admin.getByTestId('hydration-probe').and(admin.locator(':enabled')).waitFor();

    // A blue just dark enough for white (4.6:1): the lightest an admin may pick.
    await admin.goto(`${vellum.baseUrl}/admin/settings`);
    await admin.getByLabel('Accent colour').fill('#0a7ea4');
    await admin.getByLabel('Heading', { exact: true }).fill('Questions about your blood pressure?');
    await admin.getByLabel('Text', { exact: true }).fill('Our nurses check it for free, no appointment needed.');
    await admin.getByLabel('Button label').fill('Book a visit');
    await admin.getByLabel('Button link').fill('/book');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await admin.getByText('Settings saved.').waitFor();

    await admin.goto(`${vellum.baseUrl}/admin`);
    await admin.getByTestId('hydration-probe').and(admin.locator(':enabled')).waitFor();
    await admin.getByLabel('Title', { exact: true }).fill('Understanding blood pressure');
    await admin.getByTestId('create-post').click();
    await admin.waitForURL(/\/admin\/posts\/\d+$/);
    await admin.locator('[data-testid="editor"][data-ready="true"]').waitFor();
    await admin.getByTestId('body').fill(LONG_ARTICLE);
    await admin.getByTestId('save-status').filter({ hasText: /^Saved$/ }).waitFor({ timeout: 20_000 });
    await submitForReview(admin);
    await admin.getByTestId('post-status').filter({ hasText: 'In review' }).waitFor({ timeout: 10_000 });
    for (const [transition, status] of [
      ['approve', 'Approved'],
      ['publish_now', 'Published'],
    ]) {
      await admin.getByTestId(`transition-${transition}`).click();
      await admin.getByTestId('post-status').filter({ hasText: status }).waitFor({ timeout: 10_000 });
    }
    const path = await admin.getByTestId('public-link').getAttribute('href');
    await admin.context().close();

    for (const [options, label] of [
      [PHONE_LIGHT, 'phone, light:'],
      [DESKTOP_DARK, 'desktop, dark:'],
    ]) {
      const visitor = await reader(options);
      try {
        await visit(visitor, () => visitor.page.goto(`${vellum.baseUrl}/`));
        assert.equal(await visitor.page.locator('link[href="/theme.css?accent=0a7ea4"]').count(), 1);
        await audit(visitor, `${label} home page with its own accent`);
        await visit(visitor, () => visitor.page.goto(`${vellum.baseUrl}${path}`));
        await visitor.page.locator('.toc').waitFor();
        await visitor.page.locator('aside.cta a.button').filter({ hasText: 'Book a visit' }).waitFor();
        await audit(visitor, `${label} long article with a call to action`);
      } finally {
        await visitor.context.close();
      }
    }
  } finally {
    await vellum.stop();
  }
});
