// A smoke test of dist/ in Chromium under the admin's Content Security
// Policy: typing with Markdown shortcuts, the toolbar, a table edit, a
// dropped pair of images, a link, a footnote, and axe on the editor.
//
//   npm run build && npm run test:browser
//
// Uses playwright-core and axe-core from tests/e2e/node_modules (run
// `npm ci` there first) and Chromium at $CHROMIUM or /usr/bin/chromium
// (see harness.mjs). Prints "N passed, N failed"; exits non-zero on a
// failure.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { startHarness, markdown, pkg } from "./harness.mjs";

const { check, finish, axeSource } = await startHarness();

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
  assert.ok(text.indexOf("/media/a.png") < text.indexOf("/media/b.png"), `in the order dropped: ${text}`);
});

await check("three images dropped inside a paragraph split it and land in order", async (page) => {
  await page.evaluate(() => window.editor.setMarkdown("Before the images after them.\n"));
  await page.evaluate(() => {
    const data = new DataTransfer();
    for (const name of ["one.png", "two.png", "three.png"]) data.items.add(new File(["x"], name, { type: "image/png" }));
    const text = document.querySelector(".ProseMirror p").firstChild;
    const range = document.createRange();
    range.setStart(text, "Before the images".length);
    const box = range.getBoundingClientRect();
    document.querySelector(".ProseMirror p").dispatchEvent(
      new DragEvent("drop", { dataTransfer: data, clientX: box.left, clientY: box.top + box.height / 2, bubbles: true, cancelable: true }),
    );
  });
  await page.waitForFunction(() => (window.editor.getMarkdown().match(/!\[/g) || []).length === 3);
  const text = await markdown(page);
  const order = ["Before the images", "/media/one.png", "/media/two.png", "/media/three.png", "after them."].map((part) => text.indexOf(part));
  assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])), text);
});

await check("an image dropped inside a paragraph and then not used leaves the paragraph whole", async (page) => {
  await page.evaluate(() => window.editor.setMarkdown("Before the image after it.\n"));
  const uploads = await page.evaluate(() => window.uploads.length);
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(["x"], "cancel.png", { type: "image/png" }));
    const text = document.querySelector(".ProseMirror p").firstChild;
    const range = document.createRange();
    range.setStart(text, "Before the image".length);
    const box = range.getBoundingClientRect();
    document.querySelector(".ProseMirror p").dispatchEvent(
      new DragEvent("drop", { dataTransfer: data, clientX: box.left, clientY: box.top + box.height / 2, bubbles: true, cancelable: true }),
    );
  });
  await page.waitForFunction((before) => window.uploads.length === before + 1, uploads);
  await page.waitForFunction(() => !document.querySelector(".vm-uploading"));
  assert.equal(await markdown(page), "Before the image after it.\n");
});

await check("an image waiting inside a paragraph survives the text after it being deleted", async (page) => {
  await page.evaluate(() => window.editor.setMarkdown("Keep this. Delete me.\n"));
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(["x"], "kept.png", { type: "image/png" }));
    const paragraph = document.querySelector(".ProseMirror p");
    const range = document.createRange();
    range.setStart(paragraph.firstChild, "Keep this.".length);
    const box = range.getBoundingClientRect();
    paragraph.dispatchEvent(new DragEvent("drop", { dataTransfer: data, clientX: box.left, clientY: box.top + box.height / 2, bubbles: true, cancelable: true }));
    // Before the upload answers, the words right after the drop point go.
    const view = window.editor.view;
    const at = 1 + "Keep this.".length;
    view.dispatch(view.state.tr.delete(at, at + " Delete me.".length));
  });
  await page.waitForFunction(() => window.editor.getMarkdown().includes("kept.png"));
  assert.equal(await markdown(page), 'Keep this.\n\n![Alt 0](/media/kept.png "Caption 0")\n');
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

await finish();
