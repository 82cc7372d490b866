// Pasting HTML from Word, Google Docs, LibreOffice and a web page, in
// Chromium under the admin's CSP: `VellumEditor.pasteToMarkdown` (the
// Markdown mode's paste) and a real paste event in the visual editor must
// both give the Markdown a person would want (test/paste/*.expected.md),
// the images must go where they belong, and HTML with nothing worth keeping
// must be left to the plain text.
//
//   npm run build && node test/browser/paste.mjs

import { readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { startHarness, markdown, pkg } from "./harness.mjs";

const { check, finish } = await startHarness();
const fixture = (name) => readFileSync(join(pkg, "test", "paste", name), "utf8");
const SOURCES = ["word", "gdocs", "libreoffice", "webpage"];
// What each clipboard holds besides its HTML: Word sends a picture of the
// copied text too, which must not be uploaded.
const PICTURE = { word: true };
const IMAGES = { gdocs: 1 };
const SKIPPED = { word: 1 };

// Empties the editor and pastes `html` (with its plain text, and a PNG when
// `picture`) as the browser would: a paste event on the content element.
// Returns whether the editor handled it and the Markdown right after (before
// any upload lands).
function paste(page, html, picture = false) {
  const text = html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return page.evaluate(([html, text, picture]) => {
    window.editor.setMarkdown("");
    window.editor.focus();
    const data = new DataTransfer();
    data.setData("text/html", html);
    data.setData("text/plain", text);
    if (picture) data.items.add(new File([new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10])], "image.png", { type: "image/png" }));
    const event = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
    document.querySelector(".ProseMirror").dispatchEvent(event);
    return { handled: event.defaultPrevented, markdown: window.editor.getMarkdown() };
  }, [html, text, picture]);
}

for (const source of SOURCES) {
  const html = fixture(`${source}.html`);
  const expected = fixture(`${source}.expected.md`);

  await check(`${source}: pasteToMarkdown gives the expected Markdown`, async (page) => {
    const result = await page.evaluate((html) => {
      const r = window.VellumEditor.pasteToMarkdown(html);
      return r && { markdown: r.markdown, images: r.images.map((f) => ({ type: f.type, size: f.size, isFile: f instanceof File })), skipped: r.skipped };
    }, html);
    assert.ok(result, "a result, not null");
    assert.equal(result.markdown, expected);
    assert.equal(result.images.length, IMAGES[source] ?? 0, "data: images as files");
    assert.equal(result.skipped, SKIPPED[source] ?? 0, "images left behind");
  });

  await check(`${source}: a paste in the visual editor gives the same Markdown`, async (page) => {
    const pasted = await paste(page, html, PICTURE[source]);
    assert.ok(pasted.handled, "the paste was handled");
    assert.equal(pasted.markdown, expected);
    // onUploadRequest is called during the paste itself: nothing to wait for.
    const uploads = await page.evaluate(() => window.uploads);
    assert.equal(uploads.length, IMAGES[source] ?? 0, `uploads: ${JSON.stringify(uploads)}`);
    assert.deepEqual(await page.evaluate(() => window.skipped), SKIPPED[source] ? [SKIPPED[source]] : []);
  });
}

// Smaller shapes seen in the wild: [HTML, Markdown, skipped images].
const EDGES = [
  // Google Docs nests ordered lists straight inside each other.
  ["<ol><li><p>1</p></li><ol><li><p>1a</p></li><ol><li><p>1a-i</p></li></ol></ol><li><p>2</p></li></ol>",
    "1. 1\n   1. 1a\n      1. 1a-i\n2. 2\n"],
  // Word: a numbered list that goes on after a paragraph keeps its number;
  // a list copied from its second level; a Wingdings bullet.
  ["<p class=MsoListParagraph style='mso-list:l3 level1 lfo4'><span style='mso-list:Ignore'>a.<span>&nbsp;</span></span>alpha</p>" +
    "<p class=MsoNormal>After.</p><p class=MsoListParagraph style='mso-list:l3 level1 lfo4'><span style='mso-list:Ignore'>b.<span>&nbsp;</span></span>beta</p>",
    "1. alpha\n\nAfter.\n\n2. beta\n"],
  ["<p class=MsoListParagraphCxSpFirst style='mso-list:l0 level2 lfo1'><span style='mso-list:Ignore'>o<span>&nbsp;</span></span>second level</p>" +
    "<p class=MsoListParagraphCxSpLast style='mso-list:l0 level1 lfo1'><span style='font-family:Wingdings'><span style='mso-list:Ignore'>§<span>&nbsp;</span></span></span>first level</p>",
    "- second level\n- first level\n"],
  // Word's numbered heading: the number is Word's, not the title's.
  ["<h1 style='mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>1.<span>&nbsp;</span></span><![endif]>Introduction</h1>", "# Introduction\n"],
  // Line breaks: two make a new paragraph, one stays a break.
  ["<div>One<br><br>Two <i>and</i><br>three</div>", "One\n\nTwo *and*\\\nthree\n"],
  // Links that lead nowhere once pasted are unwrapped.
  ['<p>A <a href="javascript:go()">script</a>, <a href="#_Toc1">anchor</a>, <a href="/posts/bp">post</a>, <a href="mailto:gp@example.org">mail</a>.</p>',
    "A script, anchor, [post](/posts/bp), [mail](mailto:gp@example.org).\n"],
  // Superscripts keep their meaning; a tracked deletion is gone.
  ['<p><b>4 to 11 × 10<span style="vertical-align:super">9</span>/L</b> <span class=msoDel><del cite="mailto:A" datetime="2024-01-01T00:00">old</del></span>today</p>',
    "**4 to 11 × 10<sup>9</sup>/L** today\n"],
  // A one-column table is layout; Word's spacer row is not a row.
  ["<table><tr><td><p>Inside <b>layout</b></p><ul><li>item</li></ul></td></tr></table>", "Inside **layout**\n\n- item\n"],
  ["<table><tr><td>A</td><td>B</td></tr><tr><td>1</td><td>2</td></tr><![if !supportMisalignedColumns]><tr height=0><td></td><td></td></tr><![endif]></table>",
    "| A | B |\n|---|---|\n| 1 | 2 |\n"],
  // Images: lazy pages keep the real address aside; tracking pixels,
  // blob:, cid: and relative addresses cannot be had.
  ['<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="https://example.org/lazy.jpg" alt="Lazy">' +
    '<img src="https://example.org/p.gif" width="1" height="1"><img src="blob:https://x/1"><img src="cid:image001.png"><img src="/x.png"> <b>text</b></p>',
    "[Lazy](https://example.org/lazy.jpg) **text**\n", 3],
  // The Windows clipboard's header, should a browser pass it on.
  ["Version:0.9\r\nStartHTML:0000000105\r\nEndHTML:0000000201\r\nStartFragment:0000000141\r\nEndFragment:0000000165\r\n" +
    "<html><body><!--StartFragment--><p>Header <b>gone</b></p><!--EndFragment--></body></html>", "Header **gone**\n"],
  // A code block from a web page keeps its language and its lines.
  ['<pre><code class="language-js">let x = 1;\n  go(x);</code></pre><p>Then <code>x</code>.</p>', "```js\nlet x = 1;\n  go(x);\n```\n\nThen `x`.\n"],
];

await check("smaller shapes from office programs and web pages", async (page) => {
  const results = await page.evaluate((edges) => edges.map(([html]) => {
    const r = window.VellumEditor.pasteToMarkdown(html);
    return r && [r.markdown, r.skipped];
  }), EDGES);
  EDGES.forEach(([html, expected, skipped = 0], i) => assert.deepEqual(results[i], [expected, skipped], html));
});

await check("a Google Docs data: image is uploaded as a PNG file and lands where the paste ended", async (page) => {
  await paste(page, fixture("gdocs.html"));
  await page.waitForFunction(() => window.editor.getMarkdown().includes("!["));
  const uploads = await page.evaluate(() => window.uploads);
  assert.deepEqual(uploads, [{ name: "pasted-image-1.png", type: "image/png", size: 73, isFile: true }]);
  assert.equal(await markdown(page), fixture("gdocs.expected.md") + '\n![Alt 0](/media/pasted-image-1.png "Caption 0")\n');
});

await check("a web page's https image stays a link to it", async (page) => {
  await paste(page, fixture("webpage.html"));
  assert.equal(await page.locator(".ProseMirror a[href='https://example.org/x.jpg']").textContent(), "A glass of water on a table");
  assert.equal(await page.locator(".ProseMirror img").count(), 0);
  assert.deepEqual(await page.evaluate(() => window.uploads), []);
});

await check("HTML without structure is left to the plain text", async (page) => {
  const results = await page.evaluate(() =>
    [
      '<div><span style="color:red">let x</span></div>',
      '<meta charset="utf-8"><div style="color: #d4d4d4;background-color: #1e1e1e;font-family: Consolas, \'Courier New\', monospace;' +
        'font-weight: normal;font-size: 14px;line-height: 19px;white-space: pre;"><div><span style="color: #569cd6;font-weight: bold;">let</span>' +
        '<span style="color: #d4d4d4;"> x = </span><span style="color: #b5cea8;">1</span>;</div><div><br></div></div>',
      "<p>Just a sentence.</p><p>And another.</p>",
      '<meta charset="utf-8"><img src="https://example.org/only-a-picture.png">',
    ].map((html) => window.VellumEditor.pasteToMarkdown(html)),
  );
  assert.deepEqual(results, [null, null, null, null]);
});

await check("an image file with no text beside it is uploaded, every one", async (page) => {
  await page.evaluate(() => {
    window.editor.setMarkdown("");
    const data = new DataTransfer();
    data.setData("text/html", '<meta charset="utf-8"><img src="https://example.org/photo.png">');
    data.items.add(new File(["a"], "one.png", { type: "image/png" }));
    data.items.add(new File(["b"], "two.jpg", { type: "image/jpeg" }));
    document.querySelector(".ProseMirror").dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => (window.editor.getMarkdown().match(/!\[/g) || []).length === 2);
  assert.deepEqual((await page.evaluate(() => window.uploads)).map((u) => u.name), ["one.png", "two.jpg"]);
  assert.equal(await markdown(page), '![Alt 0](/media/one.png "Caption 0")\n\n![Alt 1](/media/two.jpg "Caption 1")\n');
});

await check("a copy inside the editor pastes back as it was", async (page) => {
  const text = "Water is H<sub>2</sub>O, see [^1] and **this**.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n  - two\n\n[^1]: A note.\n";
  await page.evaluate((text) => window.editor.setMarkdown(text), text);
  await page.click(".ProseMirror p");
  await page.keyboard.press("Control+a");
  const html = await page.evaluate(() => {
    const data = new DataTransfer();
    document.querySelector(".ProseMirror").dispatchEvent(new ClipboardEvent("copy", { clipboardData: data, bubbles: true, cancelable: true }));
    return data.getData("text/html");
  });
  assert.match(html, /data-pm-slice/);
  await paste(page, html);
  assert.equal(await markdown(page), text);
});

await check("a phrase pastes into the paragraph it lands in", async (page) => {
  await page.evaluate(() => {
    const view = window.editor.view;
    window.editor.setMarkdown("Take X daily.\n");
    const Selection = view.state.selection.constructor;
    view.dispatch(view.state.tr.setSelection(Selection.create(view.state.doc, 6, 7)));
    const data = new DataTransfer();
    data.setData("text/html", '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-0a1b2c3d-7fff-1234-5678-9abcdef01234">' +
      '<span style="font-size:11pt;font-family:Arial,sans-serif;font-weight:700;">two</span><span style="font-size:11pt;font-weight:400;"> tablets</span></b>');
    data.setData("text/plain", "two tablets");
    document.querySelector(".ProseMirror").dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  });
  assert.equal(await markdown(page), "Take **two** tablets daily.\n");
});

await check("HTML that skips the cleaner still reads tables as GFM holds them", async (page) => {
  // Another ProseMirror editor's clipboard is read by the schema alone:
  // cells holding paragraphs or lists keep their text on one line, the
  // first row is the header, header cells further down are plain cells.
  await paste(page, '<table data-pm-slice="0 0 []"><tr><td><p>Dose</p><p>(adults)</p></td><td>When</td></tr>' +
    "<tr><th>Two</th><td><ul><li>morning</li><li>night</li></ul></td></tr></table>");
  assert.equal(await markdown(page), "| Dose (adults) | When |\n|---|---|\n| Two | morning night |\n");
  assert.equal(await page.locator(".ProseMirror th").count(), 2);
});

await check("cells copied from the editor's own table paste as body cells", async (page) => {
  await page.evaluate(() => window.editor.setMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n"));
  const one = await page.locator("td >> text=1").boundingBox();
  const four = await page.locator("td >> text=4").boundingBox();
  await page.mouse.move(one.x + 4, one.y + one.height / 2);
  await page.mouse.down();
  await page.mouse.move(four.x + 4, four.y + four.height / 2, { steps: 4 });
  await page.mouse.up();
  const html = await page.evaluate(() => {
    const data = new DataTransfer();
    document.querySelector(".ProseMirror").dispatchEvent(new ClipboardEvent("copy", { clipboardData: data, bubbles: true, cancelable: true }));
    return data.getData("text/html");
  });
  await page.click("td >> text=3");
  await page.evaluate((html) => {
    const data = new DataTransfer();
    data.setData("text/html", html);
    data.setData("text/plain", "1 2 3 4");
    document.querySelector(".ProseMirror").dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, html);
  assert.equal(await markdown(page), "| a | b |\n|---|---|\n| 1 | 2 |\n| 1 | 2 |\n| 3 | 4 |\n");
  assert.equal(await page.locator(".ProseMirror th").count(), 2);
});

await finish();
