// A smoke test of dist/ in Chromium under the admin's Content Security
// Policy: typing with Markdown shortcuts, the toolbar, a table edit, a
// dropped pair of images, a link, a footnote, and axe on the editor.
//
//   npm run build && npm run test:browser
//
// Uses playwright-core and axe-core from tests/e2e/node_modules (run
// `npm ci` there first) and Chromium at $CHROMIUM or /usr/bin/chromium.
// Prints "N passed, N failed"; exits non-zero on a failure.

import { createServer } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..", "..");
const e2e = join(pkg, "..", "..", "tests", "e2e", "package.json");
if (!existsSync(e2e)) {
  console.log("skipped: tests/e2e is not there");
  process.exit(0);
}
const require = createRequire(e2e);
let chromium;
let axeSource;
try {
  ({ chromium } = require("playwright-core"));
  axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
} catch {
  console.log("skipped: run npm ci in tests/e2e first");
  process.exit(0);
}

// The admin's policy (app/src/admin/mod.rs), less its nonce.
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' https: data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const TYPES = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html" };

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const file = path === "/" ? join(here, "page.html") : path.startsWith("/dist/") ? join(pkg, path) : join(here, path);
  if (!existsSync(file) || !file.startsWith(pkg)) {
    // Images the test documents point at, and the favicon: nothing there.
    res.writeHead(path.startsWith("/dist/") ? 404 : 204);
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": TYPES[file.slice(file.lastIndexOf("."))] || "application/octet-stream", "content-security-policy": CSP });
  res.end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" });
let passed = 0;
let failed = 0;
async function check(name, body) {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(e.message));
  try {
    await page.goto(base);
    await page.waitForSelector(".ProseMirror");
    await body(page);
    assert.deepEqual(problems, [], "console errors (a CSP violation would show here)");
    passed++;
    console.log(`ok - ${name}`);
  } catch (error) {
    failed++;
    console.log(`not ok - ${name}\n${error.stack}`);
  } finally {
    await page.close();
  }
}
const markdown = (page) => page.evaluate(() => window.editor.getMarkdown());

await check("an untouched document comes back byte for byte", async (page) => {
  assert.equal(await markdown(page), "# Title\n\nSome *text* with a [link](/x).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
});

await check("Markdown shortcuts while typing", async (page) => {
  await page.click(".ProseMirror p");
  await page.keyboard.press("End");
  for (const step of [
    ["Enter"], "## Symptoms", ["Enter"], "- first", ["Enter"], "second with **bold**, `code` and ~~gone~~", ["Enter"], ["Enter"],
    "1. numbered", ["Enter"], ["Enter"], "> quoted", ["Enter"], ["Enter"], "---", "After ", ["Control+b"], "strong", ["Control+b"],
    " and ", ["Control+i"], "it", ["Control+i"], ["Enter"], "```js", ["Enter"], "let x = 1;",
  ]) {
    if (Array.isArray(step)) await page.keyboard.press(step[0]);
    else await page.keyboard.type(step);
  }
  assert.equal(
    await markdown(page),
    "# Title\n\nSome *text* with a [link](/x).\n\n## Symptoms\n\n- first\n- second with **bold**, `code` and ~~gone~~\n\n" +
      "1. numbered\n\n> quoted\n\n---\n\nAfter **strong** and *it*\n\n```js\nlet x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
  );
  await page.waitForTimeout(400);
  assert.equal(await page.evaluate(() => window.changes.at(-1)), await markdown(page), "onChange sent the text");
});

await check("a table edit from the toolbar", async (page) => {
  await page.click("td >> text=2");
  await page.keyboard.press("End");
  await page.click("button[aria-label='Add row below']");
  await page.keyboard.press("Tab");
  await page.keyboard.type("3");
  await page.keyboard.press("Tab");
  await page.keyboard.type("4");
  assert.match(await markdown(page), /\| a \| b \|\n\|---\|---\|\n\| 1 \| 2 \|\n\| 3 \| 4 \|\n$/);
});

await check("a link, a footnote, undo and redo", async (page) => {
  await page.dblclick("h1 >> text=Title");
  await page.keyboard.press("Control+k");
  await page.waitForFunction(() => window.editor.getMarkdown().startsWith("# [Title]"));
  await page.click(".ProseMirror p");
  await page.keyboard.press("End");
  await page.click("button[aria-label='Insert footnote']");
  await page.keyboard.type("A note.");
  await page.keyboard.press("Control+z");
  await page.keyboard.press("Control+Shift+z");
  const text = await markdown(page);
  assert.ok(text.startsWith("# [Title](https://www.nhs.uk/)\n\nSome *text* with a [link](/x).[^1]\n"), text);
  assert.ok(text.endsWith("\n\n[^1]: A note.\n"), text);
});

await check("two dropped images upload and become figures with captions", async (page) => {
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(["x"], "a.png", { type: "image/png" }));
    data.items.add(new File(["y"], "b.png", { type: "image/png" }));
    const target = document.querySelector(".ProseMirror h1");
    const box = target.getBoundingClientRect();
    target.dispatchEvent(new DragEvent("drop", { dataTransfer: data, clientX: box.right - 2, clientY: box.bottom - 4, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => (window.editor.getMarkdown().match(/!\[/g) || []).length === 2);
  const text = await markdown(page);
  assert.match(text, /!\[Alt 0\]\(\/media\/a\.png "Caption 0"\)/);
  assert.match(text, /!\[Alt 1\]\(\/media\/b\.png "Caption 1"\)/);
  assert.equal(await page.locator("figure figcaption").count(), 2);
});

await check("axe finds nothing on the editor", async (page) => {
  const rich = readFileSync(join(pkg, "test", "cases", "html.md"), "utf8") + readFileSync(join(pkg, "test", "cases", "footnotes.md"), "utf8") +
    readFileSync(join(pkg, "test", "cases", "images.md"), "utf8") + readFileSync(join(pkg, "test", "cases", "tables.md"), "utf8");
  await page.evaluate((text) => window.editor.setMarkdown(text), rich);
  await page.click("td >> nth=0"); // shows the table tools too
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(".vellum-editor"));
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.help}`), []);
});

await browser.close();
server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
