// Images in posts as authors add them: dropped onto the text and pasted
// from the clipboard, described before they go in, chosen as the cover
// from the library; readers get sized variants with the alt text. The
// media library page lists them, says where each is used and passes axe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { png } from './pictures.mjs';
import { launchBrowser, startVellum } from './harness.mjs';
import { signIn as signInWith, newPost, editorReady, saved, passesAxe, submitForReview } from './admin.mjs';

const CHART_ALT = 'Bar chart: blood pressure falls over six weeks of walking';
const SCREENSHOT_ALT = 'Screenshot of the step counter showing 8,000 steps';

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

const CHART = png(1200, 800, [
  [11, 110, 105],
  [194, 65, 12],
  [29, 36, 48],
]).toString('base64');
const SCREENSHOT = png(600, 400, [
  [240, 240, 240],
  [59, 130, 246],
]).toString('base64');
const STRETCHES = png(800, 600, [
  [253, 230, 138],
  [5, 96, 58],
]);
const NOT_AN_IMAGE = Buffer.from('These are notes, not a picture.').toString('base64');

async function status(page, text) {
  await page.getByTestId('post-status').filter({ hasText: text }).waitFor({ timeout: 10_000 });
}

// Drops a file made in the page onto the text area, as a file manager would.
async function dropFile(page, { base64, name, type }) {
  await page.getByTestId('body').evaluate(
    (textarea, file) => {
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], file.name, { type: file.type }));
      for (const kind of ['dragenter', 'dragover', 'drop']) {
        textarea.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      }
    },
    { base64, name, type },
  );
}

// Pastes a file into the text area, as after copying a screenshot.
async function pasteFile(page, { base64, name, type }) {
  await page.getByTestId('body').evaluate(
    (textarea, file) => {
      const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], file.name, { type: file.type }));
      textarea.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: transfer }));
    },
    { base64, name, type },
  );
}

async function describeAndInsert(page, alt) {
  const box = page.getByTestId('describe-image');
  await box.waitFor({ timeout: 20_000 });
  await box.getByLabel('Alt text').fill(alt);
  await box.getByRole('button', { name: 'Insert image' }).click();
  await box.waitFor({ state: 'detached' });
}

test('an author drops and pastes images into a post, describes them, and readers get sized variants', async () => {
  const ana = await signIn('ana@clinic.org');
  const errors = [];
  ana.on('pageerror', (error) => errors.push(error.message));
  const editorUrl = await newPost(ana, 'Walking lowers blood pressure');
  const body = ana.getByTestId('body');
  await body.fill('Six weeks of brisk walking, measured every morning.');
  await saved(ana);

  // Something that is not an image is refused with the server's reason.
  await dropFile(ana, { base64: NOT_AN_IMAGE, name: 'notes.png', type: 'image/png' });
  await ana.getByRole('alert').filter({ hasText: 'notes.png was not uploaded' }).waitFor({ timeout: 20_000 });

  // Dropped at the end of the text; alt text is required before inserting.
  await body.press('Control+End');
  await dropFile(ana, { base64: CHART, name: 'chart.png', type: 'image/png' });
  const box = ana.getByTestId('describe-image');
  await box.waitFor({ timeout: 20_000 });
  assert.match(
    await ana.getByTestId('upload-queue').textContent(),
    /chart\.png · uploaded, waiting for its description/,
    'the list of uploads says where each file is',
  );
  await box.getByRole('button', { name: 'Insert image' }).click();
  await box.getByText('Describe the image before using it.').waitFor();
  assert.equal(await box.getByLabel('Alt text').getAttribute('aria-invalid'), 'true');
  await passesAxe(ana, 'Editor asking for alt text');
  await describeAndInsert(ana, CHART_ALT);
  let text = await body.inputValue();
  assert.match(text, /^Six weeks of brisk walking, measured every morning\.\n\n!\[Bar chart: [^\]]+\]\(\/media\/[^)\s]+\)$/);

  // Pasted at the start of the text.
  await body.press('Control+Home');
  await pasteFile(ana, { base64: SCREENSHOT, name: 'image.png', type: 'image/png' });
  await describeAndInsert(ana, SCREENSHOT_ALT);
  text = await body.inputValue();
  assert.ok(text.startsWith(`![${SCREENSHOT_ALT}](/media/`), text);
  assert.ok(text.includes(`![${CHART_ALT}](/media/`), text);

  // Pasting text still pastes text.
  const leftToTheBrowser = await body.evaluate((textarea) => {
    const transfer = new DataTransfer();
    transfer.setData('text/plain', 'Pasted words.');
    return textarea.dispatchEvent(
      new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: transfer }),
    );
  });
  assert.equal(leftToTheBrowser, true, 'a text paste is not intercepted');

  // The cover comes from the library, with the alt text it already has.
  await ana.getByRole('button', { name: 'Choose from library' }).click();
  await ana.getByRole('button', { name: CHART_ALT }).click();
  await ana.getByText('Cover set to chart.png.').waitFor();
  assert.match(await ana.getByLabel('Cover image address').inputValue(), /^\/media\//);
  assert.equal(await ana.getByLabel('Cover image description (alt text)').inputValue(), CHART_ALT);
  await saved(ana);
  assert.deepEqual(errors, [], 'no script errors');

  // Through review to publication.
  await submitForReview(ana);
  await status(ana, 'In review');
  const maya = await signIn('maya@clinic.org');
  await maya.goto(editorUrl);
  await editorReady(maya);
  await status(maya, 'In review');
  await maya.getByTestId('transition-approve').click();
  await status(maya, 'Approved');
  await maya.getByTestId('transition-publish_now').click();
  await status(maya, 'Published');
  const publicPath = await maya.getByTestId('public-link').getAttribute('href');

  const reader = await (await browser.newContext()).newPage();
  await reader.goto(`${vellum.baseUrl}${publicPath}`);
  for (const alt of [CHART_ALT, SCREENSHOT_ALT]) {
    const image = reader.locator('.post-body img').and(reader.locator(`[alt="${alt}"]`));
    assert.equal(await image.count(), 1, `the image described "${alt}"`);
    const srcset = await image.getAttribute('srcset');
    assert.match(srcset ?? '', /\.webp \d+w/, `srcset lists WebP variants: ${srcset}`);
    assert.match(await image.getAttribute('width'), /^\d+$/);
    assert.match(await image.getAttribute('height'), /^\d+$/);
    assert.equal(await image.getAttribute('loading'), 'lazy');
  }
  const chart = reader.locator(`.post-body img[alt="${CHART_ALT}"]`);
  assert.match(await chart.getAttribute('srcset'), /\b400w\b/);
  assert.equal(Number(await chart.getAttribute('width')) / Number(await chart.getAttribute('height')), 1.5);
});

test('the media library lists, describes and protects images in use, and passes axe', async () => {
  const ana = await signIn('ana@clinic.org');
  const errors = [];
  ana.on('pageerror', (error) => errors.push(error.message));
  await ana.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Media' }).click();
  await ana.getByRole('heading', { name: 'Media', level: 1 }).waitFor();
  await ana.waitForLoadState('networkidle');

  const chart = ana.getByTestId('media-item').filter({ hasText: 'chart.png' });
  await chart.waitFor();
  assert.equal(await chart.getByLabel('Alt text').inputValue(), CHART_ALT);
  assert.match(await chart.getByTestId('used-in').textContent(), /Walking lowers blood pressure/);
  assert.match(await chart.textContent(), /1200 × 800 pixels/);
  const thumbnail = chart.locator('img');
  assert.equal(await thumbnail.getAttribute('alt'), CHART_ALT);
  assert.equal(await thumbnail.getAttribute('width'), '1200');

  // Searching by alt text.
  await ana.getByLabel('Search images').fill('step counter');
  await ana.getByTestId('media-item').filter({ hasText: 'chart.png' }).waitFor({ state: 'detached' });
  assert.equal(await ana.getByTestId('media-item').count(), 1);
  await ana.getByLabel('Search images').fill('nothing like this');
  await ana.getByText("No image's file name or alt text matches").waitFor();
  await ana.getByLabel('Search images').fill('');
  await chart.waitFor();

  // Uploading from the library page; the new image waits for its alt text.
  await ana.getByLabel('Image to upload').setInputFiles({
    name: 'stretches.png',
    mimeType: 'image/png',
    buffer: STRETCHES,
  });
  await ana.getByText('stretches.png was uploaded. Add its alt text below.').waitFor({ timeout: 20_000 });
  const stretches = ana.getByTestId('media-item').filter({ hasText: 'stretches.png' });
  await stretches.getByLabel('Alt text').fill('Three calf stretches against a wall');
  await stretches.getByRole('button', { name: 'Save' }).click();
  await stretches.getByText('Saved.').waitFor();

  // An image in use is not deleted; the server says where it is used.
  ana.once('dialog', (dialog) => dialog.accept());
  await chart.getByRole('button', { name: 'Delete' }).click();
  await chart.getByRole('alert').waitFor();
  assert.equal(await ana.getByTestId('media-item').filter({ hasText: 'chart.png' }).count(), 1);

  await passesAxe(ana, 'Media library');
  assert.deepEqual(errors, [], 'no script errors');
});
