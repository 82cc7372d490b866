// Markdown → visual document → Markdown, for every hard case and every
// demo article: the result is stable and renders to the same HTML.

import { test } from "node:test";
import assert from "node:assert/strict";
import { toMarkdown, parseMarkdown, createMarkdownIt, createStockMarkdownIt } from "../src/markdown.js";
import { hardCases, demoPosts } from "./corpus.mjs";

// markdown-it read the way Vellum reads Markdown (see src/tokenizer.js).
const vellum = createMarkdownIt({ editor: false });
// Stock markdown-it with the footnote plugin, GFM tables and strikethrough.
const stock = createStockMarkdownIt();

const cases = hardCases();
const demos = demoPosts();

test("the corpus is there", () => {
  assert.ok(cases.length >= 15, `hard cases: ${cases.length}`);
  assert.ok(demos.length >= 10, `demo posts: ${demos.length}`);
});

for (const { name, text } of [...cases, ...demos]) {
  test(`round trip: ${name}`, () => {
    const once = toMarkdown(text);
    const twice = toMarkdown(once);
    assert.equal(twice, once, "a second round trip changes the text");
    assert.equal(vellum.render(once), vellum.render(text), "rendered HTML differs (Vellum's reading)");
    // Single-tilde strikethrough is pulldown-cmark's, not stock markdown-it's.
    if (!name.includes("pulldown-")) {
      assert.equal(stock.render(once), stock.render(text), "rendered HTML differs (stock markdown-it)");
    }
    assert.ok(parseMarkdown(once).eq(parseMarkdown(text)), "the document read back differs");
  });
}
