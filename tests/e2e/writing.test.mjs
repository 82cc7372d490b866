// Writing with the editor's newer tools, as the clinic's authors do: the
// visual mode keeps the same guarantees as the Markdown text (autosave,
// conflicts, work kept offline, the leave guard); pasting from office
// programs and web pages keeps headings, lists, tables, links and bold;
// several images at once, each described in turn, with captions readers
// see; a link dialog that finds the site's own articles; room to write
// (focus mode, settings that fold away, a text area that grows); and the
// spellcheck in the articles' language.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { png } from './pictures.mjs';
import { launchBrowser, startVellum } from './harness.mjs';
import { signIn as signInWith, newPost, editorReady, saved, passesAxe, submitForReview } from './admin.mjs';

const PASTE_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'frontend', 'editor', 'test', 'paste');

let vellum;
let browser;

before(async () => {
  vellum = await startVellum({
    users: [
      { email: 'ana@clinic.org', name: 'Ana Ruiz', role: 'author' },
      { email: 'maya@clinic.org', name: 'Dr. Maya Patel', role: 'editor' },
      { email: 'omar@clinic.org', name: 'Omar Haddad', role: 'admin' },
    ],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vellum?.stop();
});

const signIn = (email) => signInWith(browser, vellum.baseUrl, email);

// A PNG picture as base64, for a DataTransfer or a file chooser.
const pngBase64 = (width, height, colours) => png(width, height, colours).toString('base64');

// Three different pictures (the library would take one picture twice as one).
const READINGS = [
  { name: 'morning.png', base64: pngBase64(120, 80, [[185, 28, 28], [254, 226, 226]]), alt: 'Morning reading: 128 over 82' },
  { name: 'noon.png', base64: pngBase64(160, 90, [[21, 128, 61], [220, 252, 231]]), alt: 'Noon reading: 124 over 80' },
  { name: 'evening.png', base64: pngBase64(200, 100, [[29, 78, 216], [219, 234, 254], [30, 41, 59]]), alt: 'Evening reading: 121 over 79' },
];
const CUFF = { name: 'cuff.png', base64: pngBase64(300, 200, [[250, 204, 21], [15, 23, 42]]) };

async function status(page, text) {
  await page.getByTestId('post-status').filter({ hasText: text }).waitFor({ timeout: 10_000 });
}

// Back on the dashboard, hydrated, to start another post.
async function dashboard(page) {
  await page.goto(`${vellum.baseUrl}/admin`);
  await page.getByTestId('hydration-probe').and(page.locator(':enabled')).waitFor();
}

// Chooses the visual mode; its editing surface.
async function visualMode(page) {
  await page.getByTestId('mode-visual').click();
  assert.equal(await page.getByTestId('mode-visual').getAttribute('aria-pressed'), 'true');
  const visual = page.getByTestId('visual').locator('.ProseMirror');
  await visual.waitFor();
  return visual;
}

// Back to the Markdown mode: the text as it is stored.
async function markdownOf(page) {
  await page.getByTestId('mode-markdown').click();
  assert.equal(await page.getByTestId('mode-markdown').getAttribute('aria-pressed'), 'true');
  return page.getByTestId('body').inputValue();
}

// An editor submits, approves and publishes the post open in `page`; its address.
async function publish(page) {
  await submitForReview(page);
  await status(page, 'In review');
  await page.getByTestId('transition-approve').click();
  await status(page, 'Approved');
  await page.getByTestId('transition-publish_now').click();
  await status(page, 'Published');
  return page.getByTestId('public-link').getAttribute('href');
}

// An editor approves and publishes the author's post at `url`; its address.
async function approveAndPublish(url) {
  const maya = await signIn('maya@clinic.org');
  await maya.goto(url);
  await editorReady(maya);
  await status(maya, 'In review');
  await maya.getByTestId('transition-approve').click();
  await status(maya, 'Approved');
  await maya.getByTestId('transition-publish_now').click();
  await status(maya, 'Published');
  return maya.getByTestId('public-link').getAttribute('href');
}

// Selects `word` (its first occurrence) in the text area.
async function selectInText(textarea, word) {
  await textarea.evaluate((element, word) => {
    const start = element.value.indexOf(word);
    if (start < 0) throw new Error(`"${word}" is not in the text`);
    element.focus();
    element.setSelectionRange(start, start + word.length);
  }, word);
}

// Puts the text area's cursor just after `text`.
async function cursorAfter(textarea, text) {
  await textarea.evaluate((element, text) => {
    const at = element.value.indexOf(text);
    if (at < 0) throw new Error(`"${text}" is not in the text`);
    element.focus();
    element.setSelectionRange(at + text.length, at + text.length);
  }, text);
}

// Files dropped on `target` as a file manager would drop them; in the
// visual editor, at the end of its first paragraph.
async function dropFiles(target, files, { atEndOfFirstParagraph = false } = {}) {
  await target.evaluate(
    (element, { files, atEndOfFirstParagraph }) => {
      const transfer = new DataTransfer();
      for (const file of files) {
        const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name, { type: 'image/png' }));
      }
      let point = {};
      if (atEndOfFirstParagraph) {
        const line = element.querySelector('p').getBoundingClientRect();
        point = { clientX: line.right - 2, clientY: line.bottom - 4 };
      }
      for (const kind of ['dragenter', 'dragover', 'drop']) {
        element.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: transfer, ...point }));
      }
    },
    { files, atEndOfFirstParagraph },
  );
}

// Pastes what an office program or a browser puts on the clipboard.
async function pasteHtml(target, html) {
  await target.evaluate((element, html) => {
    const transfer = new DataTransfer();
    transfer.setData('text/html', html);
    transfer.setData('text/plain', new DOMParser().parseFromString(html, 'text/html').body.textContent.trim());
    element.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: transfer }));
  }, html);
}

// Describes the image the describe box asks about and inserts it; waits
// until it has left the list of uploads (`left` files stay on it).
async function describe(page, alt, { caption, left = 0 } = {}) {
  const box = page.getByTestId('describe-image');
  await box.waitFor({ timeout: 20_000 });
  const thumbnail = await box.locator('img').getAttribute('src');
  await box.getByLabel('Alt text').fill(alt);
  if (caption !== undefined) await box.getByLabel('Caption (optional)').fill(caption);
  await box.getByRole('button', { name: 'Insert image' }).click();
  await page.getByTestId('upload-item').nth(left).waitFor({ state: 'detached', timeout: 20_000 });
  return thumbnail;
}

// Holds every upload the page sends until the test lets it through, so
// that each file's state in the list can be read.
async function holdUploads(page) {
  const held = [];
  let arrived = () => {};
  await page.route('**/admin/media/upload', (route) => {
    held.push(route);
    arrived();
  });
  return {
    async next() {
      if (held.length === 0) {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('the page sent no further upload')), 20_000);
          arrived = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return held.shift();
    },
  };
}

// Waits until the list of uploads shows exactly `states`, in order.
async function uploadsShow(page, states) {
  const items = page.getByTestId('upload-queue').getByTestId('upload-item');
  for (const state of states) await items.filter({ hasText: state }).waitFor({ timeout: 20_000 });
  const texts = await items.allTextContents();
  assert.equal(texts.length, states.length, JSON.stringify(texts));
  states.forEach((state, index) => assert.match(texts[index], state));
}

const IMAGE_LINE = /^!\[[^\]]+\]\(\/media\/[^)\s]+\)$/;

function normalised(markdown) {
  return markdown
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// What a reader would notice lost: headings, list items, table rows,
// links and bold, counted.
function structure(markdown) {
  const count = (pattern) => (markdown.match(pattern) ?? []).length;
  return {
    headings: count(/^#{1,6} \S/gm),
    listItems: count(/^ *(?:[-*+]|\d+[.)]) \S/gm),
    tableRows: count(/^\|.*\|$/gm),
    links: count(/(?<!!)\[[^\]]+\]\([^)\s]+\)/g),
    bold: count(/\*\*[^*\n]+\*\*/g),
  };
}

// A clipboard as Word, Google Docs, LibreOffice or a browser fills it, and
// the Markdown the engine promises for it (the engine's own fixtures).
function pasteFixture(name) {
  const html = path.join(PASTE_FIXTURES, `${name}.html`);
  const expected = path.join(PASTE_FIXTURES, `${name}.expected.md`);
  assert.ok(existsSync(html) && existsSync(expected), `clipboard fixture ${name} in ${PASTE_FIXTURES}`);
  return { html: readFileSync(html, 'utf8'), expected: readFileSync(expected, 'utf8') };
}

const SOURCES = ['word', 'gdocs', 'libreoffice', 'webpage'];

// What the editor says about pasted pictures that only pointed at a file
// on the author's computer (Word's temporary clip files).
const leftBehind = (page) => page.getByRole('status').filter({ hasText: /pasted images? stayed behind: the clipboard only pointed at a file on your computer/ });

// Pasted text against the engine's expected Markdown; images the
// clipboard carried are uploaded and described, then compared apart.
function checkPasted(source, pasted, { html, expected }, alt) {
  const images = (html.match(/<img[^>]+src=["']?data:image\//gi) ?? []).length;
  const lines = pasted.split('\n');
  const imageLines = lines.filter((line) => IMAGE_LINE.test(line));
  assert.equal(imageLines.length, images, `${source}: one described image for each image in the clipboard:\n${pasted}`);
  for (const line of imageLines) assert.ok(line.startsWith(`![${alt}](/media/`), `${source}: ${line}`);
  const text = lines.filter((line) => !IMAGE_LINE.test(line)).join('\n');
  const wanted = expected
    .split('\n')
    .filter((line) => !/^!\[[^\]]*\]\([^)]*\)$/.test(line))
    .join('\n');
  const features = structure(wanted);
  assert.ok(Object.values(features).some((n) => n > 0), `${source}: the expected Markdown has structure`);
  assert.deepEqual(structure(text), features, `${source}: headings, lists, table, links and bold kept:\n${pasted}`);
  assert.equal(normalised(text), normalised(wanted), `${source}: the Markdown the engine promises`);
}

test('visual mode autosaves, and the post opens in it again with the text', async () => {
  const ana = await signIn('ana@clinic.org');
  const url = await newPost(ana, 'Written in the visual mode');
  const visual = await visualMode(ana);
  await visual.click();
  await ana.keyboard.type('Drink a glass of water with every meal.');
  await ana.getByTestId('save-status').filter({ hasText: 'Unsaved changes' }).waitFor();
  await saved(ana);
  assert.equal(await ana.evaluate(() => localStorage.getItem('vellum.editor.mode')), 'visual');

  await ana.reload();
  await editorReady(ana);
  assert.equal(await ana.getByTestId('mode-visual').getAttribute('aria-pressed'), 'true', 'the mode is remembered');
  await visual.locator('p').filter({ hasText: 'Drink a glass of water with every meal.' }).waitFor();
  assert.equal(ana.url(), url);
  assert.equal((await markdownOf(ana)).trimEnd(), 'Drink a glass of water with every meal.');
});

test('visual mode: when someone else saved first, both texts are shown and taking theirs shows theirs', async () => {
  const ana = await signIn('ana@clinic.org');
  const url = await newPost(ana, 'Pollen season');
  const maya = await signIn('maya@clinic.org');
  await maya.goto(url);
  await editorReady(maya);

  const mayas = await visualMode(maya);
  await mayas.click();
  await maya.keyboard.type("Maya's text about pollen counts.");
  await maya.getByTestId('save-status').filter({ hasText: 'Unsaved changes' }).waitFor();
  await saved(maya);

  // Ana still edits the version she opened.
  const anas = await visualMode(ana);
  await anas.click();
  await ana.keyboard.type("Ana's text about nasal sprays.");
  const conflict = ana.getByTestId('conflict');
  await conflict.waitFor({ timeout: 20_000 });
  assert.equal((await ana.getByTestId('conflict-mine').inputValue()).trimEnd(), "Ana's text about nasal sprays.");
  assert.equal((await ana.getByTestId('conflict-theirs').inputValue()).trimEnd(), "Maya's text about pollen counts.");
  await anas.locator('p').filter({ hasText: "Ana's text about nasal sprays." }).waitFor();

  await conflict.getByTestId('take-theirs').click();
  await conflict.waitFor({ state: 'detached' });
  await anas.locator('p').filter({ hasText: "Maya's text about pollen counts." }).waitFor();
  assert.equal(await anas.getByText("Ana's text about nasal sprays.").count(), 0, 'her text left the editor');
  assert.equal(await ana.getByTestId('save-status').textContent(), 'Saved');
  assert.equal(await ana.getByTestId('mode-visual').getAttribute('aria-pressed'), 'true');
  assert.equal((await markdownOf(ana)).trimEnd(), "Maya's text about pollen counts.");
});

test('visual mode: typing offline is kept in this browser and saved when the network is back', async () => {
  const ana = await signIn('ana@clinic.org');
  const url = await newPost(ana, 'Travel vaccines');
  const id = url.split('/').pop();
  const visual = await visualMode(ana);

  await ana.context().setOffline(true);
  await visual.click();
  await ana.keyboard.type('Typed at the airport without signal.');
  await ana.getByTestId('save-status').filter({ hasText: 'Not saved' }).waitFor({ timeout: 20_000 });
  assert.match(await ana.getByTestId('save-status').textContent(), /kept in this browser/);
  const kept = await ana.evaluate((key) => localStorage.getItem(key), `vellum.post.${id}`);
  assert.match(kept ?? '', /Typed at the airport without signal\./);

  await ana.context().setOffline(false);
  await saved(ana);
  assert.equal(await ana.evaluate((key) => localStorage.getItem(key), `vellum.post.${id}`), null);
  await ana.reload();
  await editorReady(ana);
  await visual.locator('p').filter({ hasText: 'Typed at the airport without signal.' }).waitFor();
});

test('visual mode: leaving with unsaved changes asks first', async () => {
  const ana = await signIn('ana@clinic.org');
  const url = await newPost(ana, 'Not saved yet, visually');
  const visual = await visualMode(ana);
  await visual.click();
  await ana.keyboard.type('Typed a moment ago.');
  await ana.getByTestId('save-status').filter({ hasText: 'Unsaved changes' }).waitFor();
  let asked = '';
  ana.once('dialog', async (dialog) => {
    asked = dialog.message();
    await dialog.dismiss();
  });
  const posts = ana.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Posts', exact: true });
  await posts.click();
  assert.match(asked, /unsaved changes/);
  assert.equal(ana.url(), url, 'still in the editor');
  await visual.locator('p').filter({ hasText: 'Typed a moment ago.' }).waitFor();
  await saved(ana);
  await posts.click();
  await ana.waitForURL(`${vellum.baseUrl}/admin/posts`);
  await ana.getByRole('link', { name: 'Not saved yet, visually' }).waitFor();
});

test('pasting from Word, Google Docs, LibreOffice and a web page into the Markdown text keeps the structure', async () => {
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'Pasted into the Markdown');
  const body = ana.getByTestId('body');
  for (const source of SOURCES) {
    const fixture = pasteFixture(source);
    await body.fill('');
    await body.focus();
    await pasteHtml(body, fixture.html);
    const alt = `Figure pasted from ${source}`;
    if (/<img[^>]+src=["']?data:image\//i.test(fixture.html)) await describe(ana, alt);
    checkPasted(source, await body.inputValue(), fixture, alt);
    if (fixture.html.includes('src="file:')) await leftBehind(ana).waitFor();
  }
  // Pasted between two paragraphs, the text and its picture land there,
  // the picture right after the pasted text, and the rest stays after both.
  const gdocs = pasteFixture('gdocs');
  await body.fill('Before the paste.\n\nAfter the paste.');
  await cursorAfter(body, 'Before the paste.');
  await pasteHtml(body, gdocs.html);
  await describe(ana, 'Figure pasted in the middle');
  const text = await body.inputValue();
  assert.ok(text.startsWith('Before the paste.\n\n'), text);
  assert.ok(text.endsWith('\n\nAfter the paste.'), text);
  const picture = text.indexOf('![Figure pasted in the middle](/media/');
  assert.ok(picture > 0 && picture < text.indexOf('After the paste.'), text);
  await saved(ana);
});

test('pasting the same documents in visual mode stores the same Markdown', async () => {
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'Pasted into the visual editor');
  const body = ana.getByTestId('body');
  const told = [];
  for (const source of SOURCES) {
    const fixture = pasteFixture(source);
    await ana.getByTestId('mode-markdown').click();
    await body.fill('');
    const visual = await visualMode(ana);
    await visual.click();
    await pasteHtml(visual, fixture.html);
    const alt = `Figure pasted from ${source}`;
    if (/<img[^>]+src=["']?data:image\//i.test(fixture.html)) {
      await describe(ana, alt);
      await visual.locator(`img[alt="${alt}"]`).first().waitFor();
    }
    checkPasted(source, await markdownOf(ana), fixture, alt);
    if (fixture.html.includes('src="file:')) told.push(`${source}: ${await leftBehind(ana).count()}`);
  }
  await saved(ana);
  // Pictures the clipboard only pointed at are named, as in the Markdown mode.
  assert.ok(told.every((line) => line.endsWith(': 1')), `"stayed behind" said after the paste: ${told}`);
});

test('several files dropped on the text upload one at a time, each described in turn, in drop order', async () => {
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'A day of blood pressure readings');
  const body = ana.getByTestId('body');
  await body.fill('Three readings, taken at home.\n\nAll three are in the healthy range.');
  await cursorAfter(body, 'taken at home.');
  const uploads = await holdUploads(ana);
  await dropFiles(body, READINGS);

  // The first is on its way, the others wait their turn.
  let upload = await uploads.next();
  await uploadsShow(ana, [/^morning\.png · uploading, \d+%$/, /^noon\.png · waiting\s*Remove$/, /^evening\.png · waiting\s*Remove$/]);
  // Meanwhile the mode stays (each file knows which editor it goes to),
  // and writing goes on: text typed before the drop point moves it along.
  assert.equal(await ana.getByTestId('mode-visual').isDisabled(), true, 'no mode switch while uploading');
  await body.press('Control+Home');
  await ana.keyboard.type('Note: ');
  await upload.continue();
  upload = await uploads.next();
  await uploadsShow(ana, [
    /^morning\.png · uploaded, waiting for its description$/,
    /^noon\.png · uploading, \d+%$/,
    /^evening\.png · waiting\s*Remove$/,
  ]);

  // Each is described in its own box, in turn, named and counted within
  // the drop; the text grows in order.
  await ana.getByRole('heading', { name: 'Describe morning.png (1 of 3)' }).waitFor();
  const thumbnails = [await describe(ana, READINGS[0].alt, { left: 2 })];
  assert.match(await body.inputValue(), /^Note: Three readings, taken at home\.\n\n!\[Morning reading: 128 over 82\]\(\/media\/[^)\s]+\)\n\nAll three/);
  await uploadsShow(ana, [/^noon\.png · uploading, \d+%$/, /^evening\.png · waiting\s*Remove$/]);
  assert.equal(await ana.getByTestId('describe-image').count(), 0, 'no box until the next file is there');
  await upload.continue();
  upload = await uploads.next();
  await ana.getByRole('heading', { name: 'Describe noon.png (2 of 3)' }).waitFor();
  thumbnails.push(await describe(ana, READINGS[1].alt, { left: 1 }));
  await upload.continue();
  thumbnails.push(await describe(ana, READINGS[2].alt));
  assert.equal(new Set(thumbnails).size, 3, `a box for each picture: ${thumbnails}`);
  await ana.getByTestId('upload-queue').waitFor({ state: 'detached' });

  const text = await body.inputValue();
  const lines = text.split('\n\n');
  assert.equal(lines.length, 5, text);
  assert.equal(lines[0], 'Note: Three readings, taken at home.');
  READINGS.forEach(({ alt }, index) => assert.ok(lines[index + 1].startsWith(`![${alt}](/media/`), text));
  assert.equal(lines[4], 'All three are in the healthy range.');
  await saved(ana);
});

test('several files dropped in visual mode become figures where they were dropped, in order', async () => {
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'Readings, shown visually');
  const visual = await visualMode(ana);
  await visual.click();
  await ana.keyboard.type('Before the pictures.');
  await ana.keyboard.press('Enter');
  await ana.keyboard.type('After the pictures.');
  await dropFiles(visual, READINGS, { atEndOfFirstParagraph: true });
  await describe(ana, READINGS[0].alt, { left: 2 });
  await describe(ana, READINGS[1].alt, { left: 1 });
  await describe(ana, READINGS[2].alt);
  await ana.getByTestId('upload-queue').waitFor({ state: 'detached' });

  const figures = visual.locator('figure img');
  await figures.nth(2).waitFor();
  assert.deepEqual(
    await figures.evaluateAll((images) => images.map((image) => image.alt)),
    READINGS.map(({ alt }) => alt),
    'in drop order',
  );
  const text = (await markdownOf(ana)).trimEnd();
  const blocks = text.split('\n\n');
  assert.equal(blocks.length, 5, text);
  assert.equal(blocks[0], 'Before the pictures.');
  READINGS.forEach(({ alt }, index) => {
    assert.match(blocks[index + 1], IMAGE_LINE, text);
    assert.ok(blocks[index + 1].startsWith(`![${alt}](/media/`), text);
  });
  assert.equal(blocks[4], 'After the pictures.');
  await saved(ana);
});

test('a caption given with the alt text shows under the image on the published post', async () => {
  const ana = await signIn('ana@clinic.org');
  const url = await newPost(ana, 'Measuring at home');
  const body = ana.getByTestId('body');
  await body.fill('Sit quietly for five minutes before measuring.');
  await body.press('Control+End');
  await dropFiles(body, [CUFF]);
  await describe(ana, 'A blood pressure cuff on an upper arm', { caption: 'Take two readings, a minute apart' });
  assert.match(
    await body.inputValue(),
    /^Sit quietly for five minutes before measuring\.\n\n!\[A blood pressure cuff on an upper arm\]\(\/media\/[^)\s]+ "Take two readings, a minute apart"\)$/,
  );
  await ana.getByTestId('preview').locator('figure figcaption').filter({ hasText: 'Take two readings, a minute apart' }).waitFor();
  await saved(ana);
  await submitForReview(ana);
  await status(ana, 'In review');
  const publicPath = await approveAndPublish(url);

  const reader = await (await browser.newContext()).newPage();
  await reader.goto(`${vellum.baseUrl}${publicPath}`);
  const figure = reader.locator('.post-body figure');
  assert.equal(await figure.count(), 1);
  assert.equal(await figure.locator('img').getAttribute('alt'), 'A blood pressure cuff on an upper arm');
  assert.equal((await figure.locator('figcaption').textContent()).trim(), 'Take two readings, a minute apart');
});

// Posts to link to, made once: Maya's published article and her draft,
// and Ana's own draft.
let linkTargets;
function sleepPosts() {
  linkTargets ??= (async () => {
    const maya = await signIn('maya@clinic.org');
    await newPost(maya, 'Sleep and blood pressure');
    await maya.getByTestId('body').fill('Seven hours of sleep help keep blood pressure down.');
    await saved(maya);
    const published = await publish(maya);
    assert.equal(published, '/posts/sleep-and-blood-pressure');
    await dashboard(maya);
    await newPost(maya, 'Sleep clinic notes');
    const ana = await signIn('ana@clinic.org');
    await newPost(ana, 'Sleep diary for a week');
    await ana.context().close();
    await maya.context().close();
  })();
  return linkTargets;
}

test('the link dialog finds articles of this site: Ctrl+K, the toolbar button, Escape, and a warning for a draft', async () => {
  await sleepPosts();
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'Resting well');
  const body = ana.getByTestId('body');
  await body.fill('Good rest helps your blood pressure and your mood.');
  await selectInText(body, 'blood pressure');
  await body.press('Control+KeyK');
  const dialog = ana.getByTestId('link-dialog');
  await dialog.waitFor();
  const search = dialog.getByLabel('Find an article on this site');
  assert.equal(await search.evaluate((input) => input === document.activeElement), true, 'the search has the focus');
  await search.fill('sleep');
  const targets = dialog.getByTestId('link-target');
  await targets.filter({ hasText: 'Sleep and blood pressure' }).waitFor();
  await targets.filter({ hasText: 'Sleep diary for a week' }).waitFor();
  assert.deepEqual(
    (await targets.allTextContents()).sort(),
    ['Sleep and blood pressure', 'Sleep diary for a week'],
    "her own draft and what readers see, not a colleague's draft",
  );
  const row = (title) => dialog.getByRole('listitem').filter({ has: ana.getByRole('button', { name: title }) });
  assert.match(await row('Sleep diary for a week').textContent(), /Draft, not public yet/);
  assert.doesNotMatch(await row('Sleep and blood pressure').textContent(), /not public/);
  await targets.filter({ hasText: 'Sleep and blood pressure' }).click();
  await dialog.waitFor({ state: 'detached' });
  const linked = 'Good rest helps your [blood pressure](/posts/sleep-and-blood-pressure) and your mood.';
  assert.equal(await body.inputValue(), linked);

  // Escape closes the dialog and changes nothing.
  await selectInText(body, 'mood');
  await body.press('Control+KeyK');
  await dialog.waitFor();
  await search.fill('sleep');
  await targets.first().waitFor();
  await ana.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await body.inputValue(), linked);
  assert.equal(await body.evaluate((element) => element === document.activeElement), true, 'back in the text');

  // Enter in the search field takes the first article found.
  await selectInText(body, 'rest');
  await body.press('Control+KeyK');
  await dialog.waitFor();
  await search.fill('sleep and blood');
  await targets.filter({ hasText: 'Sleep and blood pressure' }).waitFor();
  assert.equal(await targets.count(), 1);
  await search.press('Enter');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await body.inputValue(), linked.replace('Good rest', 'Good [rest](/posts/sleep-and-blood-pressure)'));

  // The toolbar's button; a link to a draft is named in the readiness panel.
  await selectInText(body, 'mood');
  await ana.getByRole('button', { name: 'Link (Ctrl+K)' }).click();
  await dialog.waitFor();
  await search.fill('diary');
  await targets.filter({ hasText: 'Sleep diary for a week' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(
    await body.inputValue(),
    'Good [rest](/posts/sleep-and-blood-pressure) helps your [blood pressure](/posts/sleep-and-blood-pressure) and your [mood](/posts/sleep-diary-for-a-week).',
  );
  const items = ana.getByTestId('readiness-items').locator('li');
  await items.filter({ hasText: 'leads to a post readers cannot see' }).waitFor({ timeout: 20_000 });
  await ana.locator('[data-testid="readiness"][data-checking="false"]').waitFor({ timeout: 20_000 });
  const warnings = (await items.allTextContents()).filter((item) => item.includes('readers cannot see'));
  assert.deepEqual(warnings, ['The link to /posts/sleep-diary-for-a-week leads to a post readers cannot see (yet).']);
  await saved(ana);
});

test('the link dialog in visual mode links the selection, from Ctrl+K and from the toolbar', async () => {
  await sleepPosts();
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'An evening routine');
  const visual = await visualMode(ana);
  await visual.click();
  await ana.keyboard.type('Walk after dinner');
  await ana.keyboard.press('Shift+Control+ArrowLeft');
  assert.equal(await ana.evaluate(() => window.getSelection().toString()), 'dinner');
  await ana.keyboard.press('Control+KeyK');
  const dialog = ana.getByTestId('link-dialog');
  await dialog.waitFor();
  await dialog.getByLabel('Find an article on this site').fill('blood');
  await dialog.getByTestId('link-target').filter({ hasText: 'Sleep and blood pressure' }).click();
  await dialog.waitFor({ state: 'detached' });
  await visual.locator('a[href="/posts/sleep-and-blood-pressure"]').filter({ hasText: /^dinner$/ }).waitFor();

  // The engine's own Link button opens the same dialog.
  await visual.and(ana.locator('.ProseMirror-focused')).waitFor();
  await ana.keyboard.press('End');
  await ana.keyboard.press('Enter');
  await ana.keyboard.type('Keep a diary');
  await ana.keyboard.press('Shift+Control+ArrowLeft');
  assert.equal(await ana.evaluate(() => window.getSelection().toString()), 'diary');
  await ana.getByTestId('visual').getByRole('button', { name: 'Link', exact: true }).click();
  await dialog.waitFor();
  await dialog.getByLabel('Find an article on this site').fill('diary');
  await dialog.getByTestId('link-target').filter({ hasText: 'Sleep diary for a week' }).click();
  await dialog.waitFor({ state: 'detached' });
  await visual.locator('a[href="/posts/sleep-diary-for-a-week"]').filter({ hasText: /^diary$/ }).waitFor();

  assert.equal(
    (await markdownOf(ana)).trimEnd(),
    'Walk after [dinner](/posts/sleep-and-blood-pressure)\n\nKeep a [diary](/posts/sleep-diary-for-a-week)',
  );
  await saved(ana);
});

test("after a published post's address changes, the old address redirects to the new one", async () => {
  const maya = await signIn('maya@clinic.org');
  await newPost(maya, 'Snoring and your heart');
  await maya.getByTestId('body').fill('Loud snoring can be a sign of sleep apnoea.');
  await saved(maya);
  assert.equal(await publish(maya), '/posts/snoring-and-your-heart');

  // An article links to it at its first address.
  const ana = await signIn('ana@clinic.org');
  const anasPost = await newPost(ana, 'Snoring at night');
  await ana.getByTestId('body').fill('Read [why snoring matters](/posts/snoring-and-your-heart) before your visit.');
  await saved(ana);

  // The editor gives it a new address and publishes the change at once.
  await maya.getByLabel('Address (slug)').fill('snoring-and-heart-health');
  await saved(maya);
  await maya.getByTestId('pending-update').waitFor();
  await maya.getByTestId('publish-update').click({ timeout: 10_000 });
  await maya.getByTestId('pending-update').waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await maya.getByTestId('public-link').getAttribute('href'), '/posts/snoring-and-heart-health');

  const old = await fetch(`${vellum.baseUrl}/posts/snoring-and-your-heart`, { redirect: 'manual' });
  assert.equal(old.status, 301);
  assert.ok(old.headers.get('location')?.endsWith('/posts/snoring-and-heart-health'), old.headers.get('location'));
  assert.equal((await fetch(`${vellum.baseUrl}/posts/snoring-and-heart-health`)).status, 200);

  // The link made before the change still reaches readers: it is not
  // named as leading to a post they cannot see.
  await ana.goto(anasPost);
  await editorReady(ana);
  await ana.locator('[data-testid="readiness"][data-checking="false"]').waitFor({ timeout: 20_000 });
  const items = await ana.getByTestId('readiness-items').locator('li').allTextContents();
  assert.deepEqual(items.filter((item) => item.includes('readers cannot see')), [], JSON.stringify(items));
});

test('visual mode: the toolbar image button uploads the chosen pictures with the alt-text prompt, and fits a phone', async () => {
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'Cuffs, chosen from the computer');
  const visual = await visualMode(ana);
  await visual.click();
  await ana.keyboard.type('A cuff that fits.');
  const chooser = ana.waitForEvent('filechooser');
  await ana.getByTestId('visual').getByRole('button', { name: 'Insert image' }).click();
  await (await chooser).setFiles([
    { name: CUFF.name, mimeType: 'image/png', buffer: Buffer.from(CUFF.base64, 'base64') },
    { name: READINGS[0].name, mimeType: 'image/png', buffer: Buffer.from(READINGS[0].base64, 'base64') },
  ]);
  await describe(ana, 'A blood pressure cuff on an upper arm', { caption: 'Two fingers fit under the cuff', left: 1 });
  await describe(ana, READINGS[0].alt);
  await ana.getByTestId('visual').locator('figure figcaption').filter({ hasText: 'Two fingers fit under the cuff' }).waitFor();
  assert.equal(await ana.getByTestId('visual').locator('figure img').count(), 2);

  // The same page at phone width: nothing scrolls sideways.
  await ana.setViewportSize({ width: 390, height: 844 });
  const overflow = await ana.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the visual editor overflows sideways by ${overflow}px`);
  const text = await markdownOf(ana);
  assert.match(text, /!\[A blood pressure cuff on an upper arm\]\(\/media\/[^)\s]+ "Two fingers fit under the cuff"\)/, text);
  await saved(ana);
});

test('room to write: focus mode, post settings that fold away, and a text area that grows', async () => {
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'Room to write');
  const body = ana.getByTestId('body');
  await body.fill('## Salt\n\nLess salt, lower blood pressure.');
  const preview = ana.getByTestId('preview');
  await preview.locator('h2').filter({ hasText: 'Salt' }).waitFor();
  const readiness = ana.getByTestId('readiness');
  const settings = ana.getByRole('complementary', { name: 'Post settings' });
  const header = ana.getByRole('banner');
  for (const [what, part] of [['preview', preview], ['readiness panel', readiness], ['post settings', settings], ['admin header', header]]) {
    assert.equal(await part.isVisible(), true, `the ${what} shows at first`);
  }

  // Focus mode: only the text.
  const focus = ana.getByTestId('focus-mode');
  assert.equal(await focus.getAttribute('aria-pressed'), 'false');
  await focus.click();
  assert.equal(await focus.getAttribute('aria-pressed'), 'true');
  for (const [what, part] of [['preview', preview], ['readiness panel', readiness], ['post settings', settings], ['admin header', header]]) {
    assert.equal(await part.isVisible(), false, `the ${what} is hidden in focus mode`);
  }
  assert.equal(await body.isVisible(), true);
  await body.press('Escape');
  assert.equal(await focus.getAttribute('aria-pressed'), 'false');
  await preview.waitFor();
  await header.waitFor();

  // The post settings fold away and open again.
  const slug = ana.getByLabel('Address (slug)');
  await slug.waitFor();
  await ana.getByTestId('settings-toggle').click();
  await slug.waitFor({ state: 'hidden' });
  await ana.getByTestId('settings-toggle').click();
  await slug.waitFor();

  // The text area grows with the text.
  const before = (await body.boundingBox()).height;
  await body.fill(Array.from({ length: 80 }, (_, line) => `Line ${line + 1} of a long article.`).join('\n'));
  const grown = (await body.boundingBox()).height;
  assert.ok(grown > before, `${grown}px tall with 80 lines, ${before}px before`);
  assert.equal(await body.evaluate((element) => element.scrollHeight <= element.clientHeight + 1), true, 'no scrolling inside it');
  await saved(ana);
});

test('axe finds nothing with the link dialog open in visual mode and the describe box open in Markdown mode', async () => {
  await sleepPosts();
  const ana = await signIn('ana@clinic.org');
  await newPost(ana, 'Checked for accessibility');
  const visual = await visualMode(ana);
  await visual.click();
  await ana.keyboard.type('Quality of sleep');
  await ana.keyboard.press('Shift+Control+ArrowLeft');
  await ana.keyboard.press('Control+KeyK');
  const dialog = ana.getByTestId('link-dialog');
  await dialog.waitFor();
  await dialog.getByLabel('Find an article on this site').fill('sleep');
  await dialog.getByTestId('link-target').filter({ hasText: 'Sleep diary for a week' }).waitFor();
  await passesAxe(ana, 'the visual editor with the link dialog open');
  await ana.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  const body = ana.getByTestId('body');
  assert.equal((await markdownOf(ana)).trimEnd(), 'Quality of sleep');
  await body.press('Control+End');
  await dropFiles(body, READINGS.slice(0, 2));
  await ana.getByTestId('describe-image').waitFor({ timeout: 20_000 });
  await uploadsShow(ana, [/^morning\.png · uploaded, waiting for its description$/, /^noon\.png · uploaded, waiting for its description$/]);
  await passesAxe(ana, 'the Markdown editor with the describe box and the list of uploads');
});

// Last: it changes the whole site's language, and sets it back.
test("the articles' language sets the editor's spellcheck and the public pages' language", async () => {
  const omar = await signIn('omar@clinic.org');
  const settingsLink = omar.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Settings' });
  await settingsLink.click();
  await omar.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  const language = omar.getByLabel('Language of the articles');
  assert.equal(await language.inputValue(), 'en');

  // Not a language: said under the field, and not saved.
  await language.fill('not a language!');
  await omar.getByRole('button', { name: 'Save settings' }).click();
  await omar.locator('#field-language-error').filter({ hasText: 'Give a language code such as en, es, fr or pt-BR.' }).waitFor();
  assert.equal(await language.getAttribute('aria-invalid'), 'true');
  await omar.reload();
  await omar.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  assert.equal(await omar.getByLabel('Language of the articles').inputValue(), 'en');

  await dashboard(omar);
  await settingsLink.click();
  await language.fill('es');
  await omar.getByRole('button', { name: 'Save settings' }).click();
  await omar.getByText('Settings saved.').waitFor();

  await dashboard(omar);
  await newPost(omar, 'Dormir bien');
  const body = omar.getByTestId('body');
  assert.equal(await body.getAttribute('lang'), 'es');
  assert.equal(await body.getAttribute('spellcheck'), 'true');
  const visual = await visualMode(omar);
  assert.equal(await visual.getAttribute('lang'), 'es');
  assert.equal(await visual.getAttribute('spellcheck'), 'true');

  const reader = await (await browser.newContext()).newPage();
  await reader.goto(`${vellum.baseUrl}/`);
  assert.equal(await reader.locator('html').getAttribute('lang'), 'es');

  await dashboard(omar);
  await settingsLink.click();
  await language.fill('en');
  await omar.getByRole('button', { name: 'Save settings' }).click();
  await omar.getByText('Settings saved.').waitFor();
  await reader.reload();
  assert.equal(await reader.locator('html').getAttribute('lang'), 'en');
});
