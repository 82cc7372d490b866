// Markdown → ProseMirror document, through prosemirror-markdown's
// MarkdownParser over the markdown-it configured in tokenizer.js.

import { MarkdownParser } from "prosemirror-markdown";
import { schema } from "./schema.js";
import { createMarkdownIt, altText } from "./tokenizer.js";

export const tokenizer = createMarkdownIt({ editor: true });

// Whether a list is tight: markdown-it hides the paragraphs of tight lists.
// A list without direct paragraphs renders the same either way.
function listIsTight(tokens, i) {
  const level = tokens[i].level;
  for (let j = i + 1; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.level <= level && t.nesting === -1) break;
    if ((t.type === "paragraph_open" || t.type === "vellum_figure") && t.level === level + 2) return t.hidden;
  }
  return true;
}

function align(tok) {
  const style = tok.attrGet("style") || "";
  const m = /text-align:\s*(left|center|right)/.exec(style);
  return m ? m[1] : null;
}

const markAttrs = (tok) => ({ html: tok.info === "html" });

const tokens = {
  blockquote: { block: "blockquote" },
  paragraph: { block: "paragraph" },
  list_item: { block: "list_item" },
  bullet_list: {
    block: "bullet_list",
    getAttrs: (tok, toks, i) => ({ tight: listIsTight(toks, i), bullet: tok.markup || "-" }),
  },
  ordered_list: {
    block: "ordered_list",
    getAttrs: (tok, toks, i) => ({
      order: Number(tok.attrGet("start") ?? 1),
      tight: listIsTight(toks, i),
      delim: tok.markup === ")" ? ")" : ".",
    }),
  },
  heading: {
    block: "heading",
    getAttrs: (tok) => ({
      level: Number(tok.tag.slice(1)),
      attrBlock: tok.meta?.attrBlock || null,
      setext: tok.markup === "=" || tok.markup === "-",
    }),
  },
  code_block: { block: "code_block", noCloseToken: true },
  fence: { block: "code_block", getAttrs: (tok) => ({ params: tok.info || "" }), noCloseToken: true },
  html_block: { block: "html_block", noCloseToken: true },
  hr: { node: "horizontal_rule", getAttrs: (tok) => ({ markup: tok.markup || "---" }) },
  vellum_figure: {
    block: "figure",
    noCloseToken: true,
    getAttrs: (tok) => ({ src: tok.attrGet("src") || "", alt: tok.attrGet("alt") || "" }),
  },
  image: {
    node: "image",
    getAttrs: (tok) => ({
      src: tok.attrGet("src") || "",
      title: tok.attrGet("title") || null,
      alt: altText(tok.children),
    }),
  },
  hardbreak: { node: "hard_break" },
  softbreak: { node: "softbreak" },
  html_inline: { node: "html_inline", getAttrs: (tok) => ({ html: tok.content }) },
  footnote_ref: { node: "footnote_ref", getAttrs: (tok) => ({ label: tok.meta.label }) },
  footnote_reference: { block: "footnote_definition", getAttrs: (tok) => ({ label: tok.meta.label }) },
  em: { mark: "em", getAttrs: markAttrs },
  strong: { mark: "strong", getAttrs: markAttrs },
  s: { mark: "strike", getAttrs: markAttrs },
  link: {
    mark: "link",
    getAttrs: (tok) => ({
      href: tok.attrGet("href") || "",
      title: tok.attrGet("title") || null,
      autolink: tok.markup === "autolink",
    }),
  },
  code_inline: { mark: "code", noCloseToken: true },
  table: { block: "table" },
  thead: { ignore: true },
  tbody: { ignore: true },
  tr: { block: "table_row" },
  th: { block: "table_header", getAttrs: (tok) => ({ align: align(tok) }) },
  td: { block: "table_cell", getAttrs: (tok) => ({ align: align(tok) }) },
};

const parser = new MarkdownParser(schema, tokenizer, tokens);

// Whether a top-level block's source can be written back as it was even
// with other blocks after it: not a code fence left open at the end of the
// text, nor an HTML block at the end (one that ends only with its closing
// marker, or at a blank line, could swallow what follows).
function kept(token, lines, tokens) {
  if (token.type === "fence") {
    const last = lines[token.map[1] - 1] || "";
    const fence = token.markup;
    const m = /^ {0,3}(`+|~+)[ \t]*$/.exec(last);
    return token.map[1] - token.map[0] >= 2 && !!m && m[1][0] === fence[0] && m[1].length >= fence.length;
  }
  if (token.type === "html_block") return tokens[tokens.length - 1] !== token;
  return true;
}

/**
 * Parses Markdown into a document. `footnoteLabels` lets a fragment parsed
 * on its own still see the definitions of the document it came from.
 * With `sources`, records the Markdown text of each top-level block so
 * that unchanged blocks can be written back exactly as they were.
 */
export function parseMarkdown(markdown, { footnoteLabels = null, sources = null } = {}) {
  const env = {};
  if (footnoteLabels) {
    env.footnotes = { refs: {} };
    for (const label of footnoteLabels) env.footnotes.refs[`:${label}`] = -1;
  }
  const text = String(markdown ?? "");
  if (!sources) return parser.parse(text, env);

  // The same parse, keeping the source lines of each top-level token.
  const toks = tokenizer.parse(text, env);
  const doc = parser.parse(text, env);
  // Link reference definitions live outside any block: a block written
  // back verbatim could lose its definition, so keep nothing then.
  if (env.references && Object.keys(env.references).length) return doc;
  const lines = text.split("\n");
  const blocks = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.level !== 0 || t.nesting === -1) continue;
    blocks.push(t.map && kept(t, lines, toks) ? t.map : null);
    if (t.nesting === 1) {
      let depth = 0;
      for (let j = i; j < toks.length; j++) {
        depth += toks[j].nesting;
        if (depth === 0) { i = j; break; }
      }
    }
  }
  if (blocks.length !== doc.childCount) return doc;
  blocks.forEach((map, k) => {
    if (!map) return;
    const block = lines.slice(map[0], map[1]);
    while (block.length && /^[ \t]*$/.test(block[block.length - 1])) block.pop();
    sources.set(doc.child(k), block.join("\n"));
  });
  return doc;
}
