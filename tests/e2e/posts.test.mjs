// Writing and reviewing posts as the clinic does it: an author writes and
// submits, an editor sends it back with a comment, the author revises, the
// editor approves and publishes, readers see who wrote and who reviewed it.
// Then the ways work could be lost: two people saving one post, and the
// network going away while typing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, launchBrowser, startVellum } from './harness.mjs';
import { signIn as signInWith, newPost, editorReady, saved, submitForReview, passesAxe } from './admin.mjs';

let vellum;
let browser;

before(async () => {
  vellum = await startVellum({
    users: [
      { email: 'ana@clinic.org', name: 'Ana Ruiz', role: 'author' },
      { email: 'maya@clinic.org', name: 'Dr. Maya Patel', role: 'editor' },
    ],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vellum?.stop();
});

const signIn = (email) => signInWith(browser, vellum.baseUrl, email);

async function status(page, text) {
  try {
    await page.getByTestId('post-status').filter({ hasText: text }).waitFor({ timeout: 10_000 });
  } catch (error) {
    const alerts = await page.getByRole('alert').allTextContents();
    throw new Error(`status "${text}" not reached; alerts: ${JSON.stringify(alerts)}; ${error.message}`);
  }
}

const ARTICLE = [
  '## Why sleep matters',
  '',
  'Adults need seven hours.',
  '',
  '- Go to bed on time',
  '- Keep the room dark',
  '',
  '| Hours | Effect |',
  '|---|---|',
  '| 7 | rested |',
  '',
  'Read [the NHS advice](https://www.nhs.uk/).',
].join('\n');

test('golden flow: write, submit, request changes, revise, approve, publish', async () => {
  const ana = await signIn('ana@clinic.org');
  const editorUrl = await newPost(ana, 'Sleep and your heart');
  await ana.getByTestId('body').fill(ARTICLE);
  await ana.getByTestId('save-status').filter({ hasText: 'Unsaved changes' }).waitFor();
  await saved(ana);
  const preview = ana.getByTestId('preview');
  await preview.locator('h2#why-sleep-matters').waitFor();
  assert.equal(await preview.locator('td').first().textContent(), '7');
  assert.equal(await preview.locator('a[href="https://www.nhs.uk/"]').getAttribute('rel'), 'noopener');
  assert.match(await ana.getByTestId('counts').textContent(), /\d+ words · 1 min read/);

  // A keyboard shortcut formats at the cursor.
  await ana.getByTestId('body').press('End');
  await ana.getByTestId('body').press('Control+KeyB');
  assert.ok((await ana.getByTestId('body').inputValue()).endsWith('**bold text**'));
  await saved(ana);

  await submitForReview(ana);
  await status(ana, 'In review');
  await ana.getByTestId('read-only').waitFor();

  // The editor is notified, finds it in the review queue and sends it back.
  const maya = await signIn('maya@clinic.org');
  assert.equal(await maya.getByTestId('unread-count').textContent(), '1');
  await maya.getByRole('link', { name: 'Review', exact: true }).click();
  await maya.getByRole('link', { name: 'Sleep and your heart' }).click();
  await editorReady(maya);
  await status(maya, 'In review');
  await maya.getByTestId('review-comment').fill('Please cite a source for the seven hours.');
  await maya.getByTestId('transition-request_changes').click();
  await status(maya, 'Changes requested');

  // The author sees the request on the dashboard, revises and resubmits.
  await ana.goto(`${vellum.baseUrl}/admin`);
  const request = ana.getByTestId('changes-requested').getByTestId('latest-request');
  assert.equal(await request.textContent(), 'Please cite a source for the seven hours.');
  await ana.getByTestId('changes-requested').getByRole('link', { name: 'Sleep and your heart' }).click();
  await editorReady(ana);
  await status(ana, 'Changes requested');
  await ana.getByTestId('comments').getByText('Please cite a source').waitFor();
  await ana.getByTestId('body').fill(`${ARTICLE}\n\nSource: American Heart Association, 2024.`);
  await saved(ana);
  await submitForReview(ana);
  await status(ana, 'In review');

  // The editor approves and publishes.
  await maya.goto(editorUrl);
  await editorReady(maya);
  await status(maya, 'In review');
  await maya.getByTestId('transition-approve').click();
  await status(maya, 'Approved');
  await maya.getByTestId('reviewed').filter({ hasText: 'Medically reviewed by Dr. Maya Patel' }).waitFor();
  await maya.getByTestId('transition-publish_now').click();
  await status(maya, 'Published');
  const publicPath = await maya.getByTestId('public-link').getAttribute('href');
  assert.equal(publicPath, '/posts/sleep-and-your-heart');

  const reader = await (await browser.newContext()).newPage();
  await reader.goto(`${vellum.baseUrl}${publicPath}`);
  assert.equal(await reader.locator('h1').textContent(), 'Sleep and your heart');
  assert.equal((await reader.getByTestId('byline').textContent()).replace(/\s+/g, ' ').trim(), 'By Ana Ruiz');
  assert.match(await reader.getByTestId('reviewed-by').textContent(), /^Medically reviewed by Dr\. Maya Patel on /);
  assert.match(await reader.locator('.post-body').textContent(), /American Heart Association/);
  assert.equal(
    await reader.locator('script:not([type="application/ld+json"])').count(),
    0,
    'the public page carries no executable script',
  );
  const blocks = (await reader.locator('script[type="application/ld+json"]').allTextContents()).map((text) =>
    JSON.parse(text),
  );
  const posting = blocks.find((block) => block['@type'] === 'BlogPosting');
  assert.ok(posting, 'the article describes itself');
  assert.equal(posting.headline, 'Sleep and your heart');
  assert.deepEqual(posting.author.map((person) => person.name), ['Ana Ruiz']);
  // schema.org puts the review on the page that carries the article.
  assert.equal(posting.mainEntityOfPage['@type'], 'MedicalWebPage');
  assert.equal(posting.mainEntityOfPage.reviewedBy.name, 'Dr. Maya Patel');
});

const HARD_TEXT = [
  '## What the study found',
  '',
  'Insufficient nocturnal restoration substantially exacerbates cardiometabolic vulnerability, predisposing',
  'individuals to hypertension, dyslipidaemia and compromised immunological functionality. Consequently,',
  'practitioners recommend consistent circadian alignment and pharmacological intervention exclusively',
  'following comprehensive evaluation. Patients experiencing persistent somnolence should consult',
  'appropriately qualified professionals regarding individualised therapeutic strategies.',
  '',
  '![](/media/chart-without-words.png)',
  '',
  '#### Too deep a heading',
].join('\n');

test('the readiness panel names what to fix and the reading level, and submitting asks first', async () => {
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'Sleep, for patients');
  await ana.getByTestId('body').fill(HARD_TEXT);
  const panel = ana.locator('[data-testid="readiness"][data-checking="false"]');
  await panel.waitFor({ timeout: 20_000 });
  assert.match(await ana.getByTestId('reading-level').textContent(), /grade \d+\.\d, above the aim of grade 8/);
  const items = () => ana.getByTestId('readiness-items').locator('li').allTextContents();
  const open = await items();
  for (const expected of ['No excerpt', 'No meta description', 'has no alt text', 'jumps from level 2 to 4']) {
    assert.ok(open.some((item) => item.includes(expected)), `${expected} in ${JSON.stringify(open)}`);
  }
  assert.equal(
    await ana.getByTestId('readiness-items').getByRole('link', { name: /No excerpt/ }).getAttribute('href'),
    '#post-excerpt',
  );
  await ana.getByTestId('hardest-sentences').locator('summary').click();
  assert.match(await ana.getByTestId('hardest-sentences').locator('li').first().textContent(), /^Insufficient nocturnal/);
  await passesAxe(ana, 'the editor with its readiness panel');

  // Filling in the excerpt takes its item away, live.
  await ana.locator('#post-excerpt').fill('Why sleep matters for your heart.');
  await ana.locator('#post-seo_description').fill('Why sleep matters for your heart.');
  await ana.locator('[data-testid="readiness"][data-checking="false"]').waitFor({ timeout: 20_000 });
  assert.ok(!(await items()).some((item) => item.includes('No excerpt')), JSON.stringify(await items()));
  await saved(ana);

  // Open items: submitting asks, and "Keep editing" keeps it a draft.
  await ana.getByTestId('transition-submit').click();
  const ask = ana.getByTestId('submit-anyway');
  assert.match(await ask.textContent(), /open item\(s\)\. Submit anyway\?/);
  await ask.getByRole('button', { name: 'Keep editing' }).click();
  await ask.waitFor({ state: 'detached' });
  await status(ana, 'Draft');
  await ana.getByTestId('transition-submit').click();
  await ask.getByRole('button', { name: 'Submit anyway' }).click();
  await status(ana, 'In review');
});

test('visual mode: Markdown shortcuts, a table and a footnote, stored as Markdown and remembered', async () => {
  const ana = await signIn('ana@clinic.org');
  const url = await newPost(ana, 'Written visually');
  await ana.getByTestId('mode-visual').click();
  assert.equal(await ana.getByTestId('mode-visual').getAttribute('aria-pressed'), 'true');
  const visual = ana.getByTestId('visual').locator('.ProseMirror');
  await visual.click();
  await ana.keyboard.type('## Why sleep matters');
  await ana.keyboard.press('Enter');
  await ana.keyboard.type('Adults need **seven** hours');
  await ana.keyboard.press('Control+Alt+KeyF');
  await ana.keyboard.type('NHS advice.');
  await visual.locator('p').first().click();
  await ana.keyboard.press('End');
  await ana.keyboard.press('Enter');
  await ana.keyboard.type('- Go to bed on time');
  // Enter twice leaves the list; the table goes after it.
  await ana.keyboard.press('Enter');
  await ana.keyboard.press('Enter');
  await ana.getByTestId('visual').getByRole('button', { name: 'Insert table' }).click();
  await ana.getByTestId('visual').getByRole('button', { name: 'Add row below' }).click();
  await ana.getByTestId('save-status').filter({ hasText: 'Unsaved changes' }).waitFor();
  await saved(ana);

  // The Markdown mode shows what is stored: Markdown.
  await ana.getByTestId('mode-markdown').click();
  const text = await ana.getByTestId('body').inputValue();
  assert.match(text, /^## Why sleep matters\n\nAdults need \*\*seven\*\* hours\[\^1\]/, text);
  assert.match(text, /\[\^1\]: NHS advice\./, text);
  assert.match(text, /^- Go to bed on time$/m, text);
  assert.ok((text.match(/^\|.*\|$/gm) ?? []).length >= 4, `a table with an added row: ${text}`);
  const preview = ana.getByTestId('preview');
  await preview.locator('h2#why-sleep-matters').waitFor();
  await preview.locator('table').waitFor();

  // The choice is remembered: the next visit opens in the last mode.
  await ana.getByTestId('mode-visual').click();
  await ana.goto(url);
  await editorReady(ana);
  assert.equal(await ana.getByTestId('mode-visual').getAttribute('aria-pressed'), 'true');
  await ana.getByTestId('visual').locator('.ProseMirror h2').filter({ hasText: 'Why sleep matters' }).waitFor();
  await passesAxe(ana, 'the editor in visual mode');
  await ana.getByTestId('mode-markdown').click();
});

test('two people save one post: the later save is refused and nothing is lost', async () => {
  const ana = await signIn('ana@clinic.org');
  const url = await newPost(ana, 'Hay fever');
  const maya = await signIn('maya@clinic.org');
  await maya.goto(url);
  await editorReady(maya);

  await maya.getByTestId('body').fill("Maya's text about pollen.");
  await saved(maya);

  // Ana still edits the version she opened: her autosave is refused and
  // she sees both texts.
  await ana.getByTestId('body').fill("Ana's text about antihistamines.");
  const conflict = ana.getByTestId('conflict');
  await conflict.waitFor({ timeout: 20_000 });
  assert.equal(await ana.getByTestId('conflict-mine').inputValue(), "Ana's text about antihistamines.");
  assert.equal(await ana.getByTestId('conflict-theirs').inputValue(), "Maya's text about pollen.");
  assert.equal(await ana.getByTestId('body').inputValue(), "Ana's text about antihistamines.", 'still in the page');

  await ana.getByTestId('keep-mine').click();
  await saved(ana);
  await maya.reload();
  await editorReady(maya);
  assert.equal(await maya.getByTestId('body').inputValue(), "Ana's text about antihistamines.");

  // Maya's text is not lost: it is a revision, and the diff shows both.
  await maya.goto(`${url}/history`);
  const rows = maya.getByTestId('revisions').locator('tbody tr');
  assert.equal(await rows.count(), 2);
  await rows.nth(1).getByRole('radio').first().check();
  await rows.nth(0).getByRole('radio').last().check();
  await maya.getByTestId('compare').click();
  const diff = maya.getByTestId('diff');
  await diff.locator('.removed').filter({ hasText: "Maya's text about pollen." }).waitFor();
  await diff.locator('.added').filter({ hasText: "Ana's text about antihistamines." }).waitFor();

  // Restoring Maya's revision makes it current again, as a new version.
  await rows.nth(1).getByRole('button', { name: 'Restore' }).click();
  await maya.getByTestId('history-message').filter({ hasText: 'Restored as version' }).waitFor();
  await maya.goto(url);
  await editorReady(maya);
  assert.equal(await maya.getByTestId('body').inputValue(), "Maya's text about pollen.");
});

test('typing while the network is down is kept, said, and saved when it is back', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${vellum.baseUrl}/admin/login`);
  await page.getByLabel('Email').fill('ana@clinic.org');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${vellum.baseUrl}/admin`);
  await page.getByTestId('hydration-probe').and(page.locator(':enabled')).waitFor();
  const url = await newPost(page, 'Vitamin D');
  const id = url.split('/').pop();

  await context.setOffline(true);
  await page.getByTestId('body').fill('Typed on a train without signal.');
  await page.getByTestId('save-status').filter({ hasText: 'Not saved' }).waitFor({ timeout: 20_000 });
  assert.match(await page.getByTestId('save-status').textContent(), /kept in this browser/);
  const kept = await page.evaluate((key) => localStorage.getItem(key), `vellum.post.${id}`);
  assert.match(kept, /Typed on a train without signal\./);

  await context.setOffline(false);
  await saved(page);
  assert.equal(await page.evaluate((key) => localStorage.getItem(key), `vellum.post.${id}`), null);
  await page.reload();
  await editorReady(page);
  assert.equal(await page.getByTestId('body').inputValue(), 'Typed on a train without signal.');
});

test('leaving the editor with unsaved changes asks first', async () => {
  const ana = await signIn('ana@clinic.org');
  const url = await newPost(ana, 'Not yet saved');
  await ana.getByTestId('body').fill('Typed a moment ago.');
  let asked = '';
  ana.once('dialog', async (dialog) => {
    asked = dialog.message();
    await dialog.dismiss();
  });
  await ana.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Posts', exact: true }).click();
  assert.match(asked, /unsaved changes/);
  assert.equal(ana.url(), url, 'still in the editor');
  await saved(ana);
  await ana.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Posts', exact: true }).click();
  await ana.waitForURL(`${vellum.baseUrl}/admin/posts`);
  await ana.getByRole('link', { name: 'Not yet saved' }).waitFor();
});

test('at phone width the editor switches between text and preview', async () => {
  const ana = await signIn('ana@clinic.org');
  await ana.setViewportSize({ width: 390, height: 844 });
  await newPost(ana, 'On the phone');
  await ana.getByTestId('body').fill('## Written on a phone');
  await saved(ana);
  assert.equal(await ana.getByTestId('preview').isVisible(), false, 'the text first');
  await ana.getByRole('button', { name: 'Show the preview' }).click();
  await ana.getByTestId('preview').locator('h2').filter({ hasText: 'Written on a phone' }).waitFor();
  assert.equal(await ana.getByTestId('body').isVisible(), false);
  await ana.getByRole('button', { name: 'Show the text' }).click();
  await ana.getByTestId('body').waitFor();
  // The navigation waits behind the menu button, and fits when opened.
  const nav = ana.getByRole('navigation', { name: 'Admin' });
  assert.equal(await nav.isVisible(), false, 'collapsed at phone width');
  const menu = ana.getByTestId('admin-menu');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  await menu.click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  const box = await nav.boundingBox();
  assert.ok(box.x + box.width <= 390, `navigation fits: ${JSON.stringify(box)}`);
  await nav.getByRole('link', { name: 'Posts' }).click();
  await ana.waitForURL(/\/admin\/posts$/);
  assert.equal(await nav.isVisible(), false, 'closed again on the next page');
});

test('at phone width no admin page scrolls sideways', async () => {
  const maya = await signIn('maya@clinic.org');
  await maya.setViewportSize({ width: 390, height: 844 });
  for (const path of ['/admin', '/admin/review', '/admin/posts', '/admin/calendar', '/admin/notifications']) {
    await maya.goto(`${vellum.baseUrl}${path}`, { waitUntil: 'networkidle' });
    const overflow = await maya.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path} overflows sideways by ${overflow}px`);
  }
});

test('every admin page hydrates when loaded directly', async () => {
  const maya = await signIn('maya@clinic.org');
  const errors = [];
  maya.on('pageerror', (error) => errors.push(error.message));
  maya.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(message.text());
    }
  });
  const editor = await newPost(maya, 'Loaded directly');
  await maya.getByTestId('body').fill('Some **text**.');
  await saved(maya);
  const paths = [
    '/admin',
    '/admin/posts',
    '/admin/review',
    '/admin/calendar',
    '/admin/notifications',
    '/admin/tags',
    '/admin/profile',
    '/admin/tokens',
    '/admin/media',
  ];
  for (const path of paths) {
    await maya.goto(`${vellum.baseUrl}${path}`);
    await maya.getByTestId('signed-in-as').waitFor();
    await maya.waitForLoadState('networkidle');
  }
  await maya.goto(editor);
  await editorReady(maya);
  await maya.goto(`${editor}/history`);
  await maya.getByTestId('revisions').getByRole('radio').first().and(maya.locator(':enabled')).waitFor();
  assert.deepEqual(errors, [], 'no hydration or script errors');
});

test('an editor schedules a post, sees it on the calendar, and it appears on time', async () => {
  const maya = await signIn('maya@clinic.org');
  const url = await newPost(maya, 'Winter vitamin D');
  await maya.getByTestId('body').fill('Take vitamin D from October to March.');
  await saved(maya);
  await submitForReview(maya);
  await status(maya, 'In review');
  await maya.getByTestId('transition-approve').click();
  await status(maya, 'Approved');

  // Two minutes from now, in the site's zone (UTC here), to the minute.
  const at = new Date(Date.now() + 2 * 60_000);
  const local = at.toISOString().slice(0, 16);
  await maya.getByLabel('Publish at (site time zone)').fill(local);
  await maya.getByTestId('transition-schedule').click();
  await status(maya, 'Scheduled');
  assert.match(await maya.getByTestId('post-status').locator('..').textContent(), /\(in [12] minutes?\)/);

  await maya.goto(`${vellum.baseUrl}/admin/calendar?month=${local.slice(0, 7)}`);
  const entry = maya.getByTestId('calendar').getByRole('link', { name: /Winter vitamin D/ });
  await entry.waitFor();
  assert.equal(await entry.getAttribute('href'), new URL(url).pathname);

  const reader = await (await browser.newContext()).newPage();
  const before = await reader.goto(`${vellum.baseUrl}/posts/winter-vitamin-d`);
  assert.equal(before.status(), 404, 'not before its time');

  // The server is down across the time and starts five minutes later.
  await vellum.restart({ VELLUM_CLOCK_OFFSET_SECS: '300' });
  const after = await reader.goto(`${vellum.baseUrl}/posts/winter-vitamin-d`);
  assert.equal(after.status(), 200);
  assert.equal(await reader.locator('h1').textContent(), 'Winter vitamin D');
  await vellum.restart();
});
