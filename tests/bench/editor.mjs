// The editor page's speed and the editing engine's size, as #18 asks:
// interactive within 1.5 s on the release build (from navigation to the
// first keystroke the text accepts), and the engine adding no more than
// 250 KB compressed to the admin's scripts. Prints Markdown.
//
//   make bench-editor        # release build, then this script
//   node tests/bench/editor.mjs [--runs N]
//
// Uses the browser tests' harness (tests/e2e: VELLUM_BIN, VELLUM_SITE_ROOT,
// CHROMIUM) and its npm packages.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { launchBrowser, startVellum } from '../e2e/harness.mjs';
import { signIn, newPost } from '../e2e/admin.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const siteRoot = process.env.VELLUM_SITE_ROOT ?? path.resolve('target', 'site');
const KB = 1000;

function sizes(file) {
  const bytes = readFileSync(path.join(siteRoot, 'pkg', file));
  return {
    file,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

// Records, in the page, when the text first takes a keystroke: an input
// event on the text area or the visual editor (the server's HTML is
// read-only until the scripts have taken over, so earlier keys do nothing).
const RECORD_FIRST_INPUT = () => {
  document.addEventListener(
    'input',
    () => {
      if (window.__firstInput === undefined) window.__firstInput = performance.now();
    },
    true,
  );
};

// Milliseconds from navigation start to the first accepted keystroke, for
// one visit of `url` in `page` (its cache as the caller left it).
async function timeToType(page, url, target) {
  await page.goto(url, { waitUntil: 'commit' });
  for (;;) {
    const accepted = await page.evaluate(() => window.__firstInput);
    if (accepted !== undefined) return accepted;
    const element = await page.$(target);
    if (element) {
      await element.focus().catch(() => {});
      await page.keyboard.press('x');
    } else {
      await page.waitForTimeout(5);
    }
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const vellum = await startVellum({ users: [{ email: 'ana@clinic.org', name: 'Ana Ruiz', role: 'author' }] });
const browser = await launchBrowser();
const rows = [];
try {
  const setup = await signIn(browser, vellum.baseUrl, 'ana@clinic.org');
  const url = await newPost(setup, 'Speed of the editor');
  const cookies = await setup.context().cookies();
  await setup.context().close();
  for (const [mode, target] of [
    ['Markdown', '[data-testid="body"]'],
    ['Visual', '[data-testid="visual"] .ProseMirror'],
  ]) {
    const cold = [];
    const warm = [];
    for (let run = 0; run < RUNS; run++) {
      // A new context each run: an empty HTTP cache, as on a first visit.
      const context = await browser.newContext();
      await context.addCookies(cookies);
      await context.addInitScript(RECORD_FIRST_INPUT);
      await context.addInitScript((chosen) => localStorage.setItem('vellum.editor.mode', chosen), mode.toLowerCase());
      const page = await context.newPage();
      cold.push(await timeToType(page, url, target));
      // The keys pressed changed the post: once it is saved, the next
      // visit is a plain one (no unsaved copy to recover).
      await page.getByTestId('save-status').filter({ hasText: /^Saved$/ }).waitFor({ timeout: 20_000 });
      await page.evaluate(() => {
        window.__firstInput = undefined;
      });
      warm.push(await timeToType(page, url, target));
      await context.close();
    }
    rows.push({ mode, cold, warm });
  }
} finally {
  await browser.close();
  await vellum.stop();
}

const fmt = (ms) => `${Math.round(ms)} ms`;
const engine = [sizes('vellum-editor.js'), sizes('vellum-editor.css')];
const app = [sizes('vellum.js'), sizes('vellum.wasm'), sizes('vellum.css')];
const total = (list, key) => list.reduce((sum, item) => sum + item[key], 0);
const binary = process.env.VELLUM_BIN ?? '(the debug build)';
// Only `make release` writes the .br copies beside the site's files.
console.log(`### The editor page (\`${path.basename(binary)}\`, ${existsSync(path.join(siteRoot, 'pkg', 'vellum.wasm.br')) ? 'release' : 'debug'} site, ${RUNS} runs)\n`);
console.log('From navigation to the first keystroke the text accepts, median (slowest):\n');
console.log('| mode | first visit (empty cache) | visit again (cached) |');
console.log('|---|---:|---:|');
for (const { mode, cold, warm } of rows) {
  console.log(`| ${mode} | ${fmt(median(cold))} (${fmt(Math.max(...cold))}) | ${fmt(median(warm))} (${fmt(Math.max(...warm))}) |`);
}
console.log('\nScripts and styles, in bytes:\n');
console.log('| file | raw | gzip -9 | brotli -q 11 |');
console.log('|---|---:|---:|---:|');
for (const item of [...engine, ...app]) {
  console.log(`| ${item.file} | ${item.raw} | ${item.gzip} | ${item.brotli} |`);
}
console.log(
  `\nThe editing engine adds ${(total(engine, 'gzip') / KB).toFixed(1)} KB gzip, ` +
    `${(total(engine, 'brotli') / KB).toFixed(1)} KB brotli (budget: 250 KB compressed).`,
);
const slowest = Math.max(...rows.flatMap(({ cold }) => cold));
console.log(`Slowest first visit: ${fmt(slowest)} (target: 1.5 s).`);
