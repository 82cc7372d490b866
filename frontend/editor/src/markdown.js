// The DOM-free half of the editor: Markdown in, document out, and back.
// Runs in Node (tests, the round-trip CLI) as well as in the browser.

export { schema } from "./schema.js";
export { parseMarkdown, tokenizer } from "./parse.js";
export { serializeMarkdown, escapeText } from "./serialize.js";
export { createMarkdownIt, createStockMarkdownIt } from "./tokenizer.js";

import { parseMarkdown } from "./parse.js";
import { serializeMarkdown } from "./serialize.js";

/**
 * Markdown → visual document → Markdown: what the visual mode would store
 * for `markdown` if the author changed nothing but forced a rewrite.
 * A text that ended with a newline keeps one; one that did not, does not.
 */
export function toMarkdown(markdown) {
  const text = String(markdown ?? "");
  return serializeMarkdown(parseMarkdown(text), { trailingNewline: /\n[ \t]*$/.test(text) });
}
