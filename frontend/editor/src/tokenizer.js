// markdown-it, configured to read Markdown the way Vellum's public
// renderer (pulldown-cmark with tables, footnotes, strikethrough and heading
// attributes) reads it, as far as the two differ in ways that matter:
//
// - link and image destinations are kept as written: no percent-encoding,
//   no punycode, no rejected schemes (pulldown-cmark keeps them; ammonia
//   cleans up later);
// - `~one~` is strikethrough as well as `~~two~~`;
// - footnote definitions stay where they are (pulldown-cmark renders them
//   in place), `^[inline]` notes do not exist, and a reference matches its
//   definition without regard to case;
// - a trailing `{#id .class}` on a heading is an attribute block.

import MarkdownIt from "markdown-it";
import footnote from "markdown-it-footnote";

const TILDE = 0x7e;
const SINGLE_TILDE = 0x17e; // a private marker code for one-tilde runs

function isWs(code) {
  // Unicode whitespace (Zs) and the ASCII controls CommonMark counts.
  if (code === undefined) return true;
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ||
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x202f || code === 0x205f || code === 0x3000;
}

// Unicode punctuation (P*) and symbols (S*), as pulldown-cmark's tables do.
const PUNCT = /[\p{P}\p{S}]/u;
function isPunct(ch) {
  return ch !== undefined && PUNCT.test(ch);
}

function charBefore(src, pos) {
  if (pos <= 0) return undefined;
  const cp = src.codePointAt(pos - 1);
  if (cp >= 0xdc00 && cp <= 0xdfff && pos >= 2) return String.fromCodePoint(src.codePointAt(pos - 2));
  return String.fromCodePoint(cp);
}

function charAt(src, pos, max) {
  if (pos >= max) return undefined;
  return String.fromCodePoint(src.codePointAt(pos));
}

// pulldown-cmark's rules for tilde runs: one or two tildes, matched with a
// run of the same length; `~` may not be intraword, `~~` may.
function tildeTokenize(state, silent) {
  const start = state.pos;
  if (state.src.charCodeAt(start) !== TILDE) return false;
  if (silent) return false;
  let pos = start;
  while (pos < state.posMax && state.src.charCodeAt(pos) === TILDE) pos++;
  const len = pos - start;
  const token = state.push("text", "", 0);
  token.content = "~".repeat(len);
  if (len <= 2) {
    const prev = charBefore(state.src, start);
    const next = charAt(state.src, pos, state.posMax);
    const prevWs = prev === undefined || isWs(prev.codePointAt(0));
    const nextWs = next === undefined || isWs(next.codePointAt(0));
    let open = !nextWs && next !== undefined;
    let close = !prevWs;
    if (len === 1) {
      open = open && (prevWs || isPunct(prev));
      close = close && (nextWs || isPunct(next));
    } else {
      close = close && (!isPunct(prev) || nextWs || isPunct(next));
    }
    if (open || close) {
      state.delimiters.push({
        marker: len === 2 ? TILDE : SINGLE_TILDE,
        length: 0, // no "rule of 3"
        token: state.tokens.length - 1,
        end: -1,
        open,
        close,
      });
    }
  }
  state.pos = pos;
  return true;
}

function tildePostProcessList(state, delimiters) {
  for (const startDelim of delimiters) {
    if (startDelim.marker !== TILDE && startDelim.marker !== SINGLE_TILDE) continue;
    if (startDelim.end === -1) continue;
    const endDelim = delimiters[startDelim.end];
    const markup = startDelim.marker === TILDE ? "~~" : "~";
    const open = state.tokens[startDelim.token];
    open.type = "s_open";
    open.tag = "s";
    open.nesting = 1;
    open.markup = markup;
    open.content = "";
    const close = state.tokens[endDelim.token];
    close.type = "s_close";
    close.tag = "s";
    close.nesting = -1;
    close.markup = markup;
    close.content = "";
  }
}

function tildePostProcess(state) {
  tildePostProcessList(state, state.delimiters);
  for (const meta of state.tokens_meta) {
    if (meta && meta.delimiters) tildePostProcessList(state, meta.delimiters);
  }
}

// `[^label]`, matched to a definition without regard to case.
function footnoteRef(state, silent) {
  const start = state.pos;
  const max = state.posMax;
  if (start + 3 > max) return false;
  const notes = state.env.footnotes;
  if (!notes || !notes.refs) return false;
  if (state.src.charCodeAt(start) !== 0x5b || state.src.charCodeAt(start + 1) !== 0x5e) return false;
  let pos = start + 2;
  for (; pos < max; pos++) {
    const c = state.src.charCodeAt(pos);
    if (c === 0x20 || c === 0x0a) return false;
    if (c === 0x5d) break;
  }
  if (pos === start + 2 || pos >= max) return false;
  const label = state.src.slice(start + 2, pos);
  let key = `:${label}`;
  if (notes.refs[key] === undefined) {
    const lower = label.toLowerCase();
    const found = Object.keys(notes.refs).find((k) => k.slice(1).toLowerCase() === lower);
    if (!found) return false;
    key = found;
  }
  if (!silent) {
    if (!notes.list) notes.list = [];
    let id = notes.refs[key];
    if (id < 0) {
      id = notes.list.length;
      notes.list[id] = { label: key.slice(1), count: 0 };
      notes.refs[key] = id;
    }
    const subId = notes.list[id].count++;
    const token = state.push("footnote_ref", "", 0);
    token.meta = { id, subId, label };
  }
  state.pos = pos + 1;
  return true;
}

// pulldown-cmark's search for a trailing attribute block in heading text.
// Returns the index of its `{`, or -1.
export function attrBlockStart(text) {
  let end = text.length;
  while (end > 0 && " \t\r\n".includes(text[end - 1])) end--;
  if (end === 0 || text[end - 1] !== "}") return -1;
  let i = end - 1;
  while (i > 0 && !"{}<>\\\r\n".includes(text[i - 1])) i--;
  if (i === 0 || text[i - 1] !== "{") return -1;
  return i - 1;
}

function headingAttrs(state) {
  const tokens = state.tokens;
  let lines = null;
  for (let i = 0; i < tokens.length; i++) {
    const open = tokens[i];
    if (open.type !== "heading_open") continue;
    const inline = tokens[i + 1];
    if (!inline || inline.type !== "inline") continue;
    const atx = open.markup[0] === "#";
    if (atx) {
      // An ATX line ending in closing #'s has no attribute block for
      // pulldown-cmark, even if markdown-it's text ends in `}`.
      if (!open.map) continue;
      lines = lines || state.src.split("\n");
      const raw = (lines[open.map[0]] || "").replace(/[ \t\r]+$/, "");
      if (!raw.endsWith("}")) continue;
    }
    const at = attrBlockStart(inline.content);
    if (at < 0) continue;
    open.meta = { ...(open.meta || {}), attrBlock: inline.content.slice(at).trim() };
    let content = inline.content.slice(0, at).replace(/[ \t]+$/, "");
    if (atx) {
      // pulldown-cmark removes a closing sequence left before the block.
      const closing = /(^|[ \t])#+$/.exec(content);
      if (closing) content = content.slice(0, closing.index).replace(/[ \t]+$/, "");
    }
    inline.content = content;
  }
}

// The plain text of an image description, as pulldown-cmark writes it in
// `alt`: text, code and inline HTML, breaks as spaces.
export function altText(tokens) {
  let out = "";
  for (const t of tokens || []) {
    if (t.type === "text" || t.type === "text_special" || t.type === "code_inline" || t.type === "html_inline") {
      out += t.content;
    }
    else if (t.type === "image") out += altText(t.children);
    else if (t.type === "softbreak" || t.type === "hardbreak") out += " ";
  }
  return out;
}

// A paragraph holding one image and nothing else becomes a figure whose
// caption is the image's title.
function figures(state) {
  const tokens = state.tokens;
  const out = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (
      t.type === "paragraph_open" &&
      tokens[i + 1]?.type === "inline" &&
      tokens[i + 2]?.type === "paragraph_close" &&
      tokens[i + 1].children.length === 1 &&
      tokens[i + 1].children[0].type === "image"
    ) {
      const image = tokens[i + 1].children[0];
      const fig = new state.Token("vellum_figure", "figure", 0);
      fig.block = true;
      fig.map = t.map;
      fig.level = t.level;
      fig.hidden = t.hidden; // a tight list's paragraph
      fig.content = image.attrGet("title") || "";
      fig.attrs = [
        ["src", image.attrGet("src") || ""],
        ["alt", altText(image.children)],
      ];
      out.push(fig);
      i += 2;
      continue;
    }
    out.push(t);
  }
  state.tokens = out;
}

const HTML_MARKS = { "<em>": "em", "<strong>": "strong", "<del>": "s" };
const HTML_CLOSE = { "</em>": "em", "</strong>": "strong", "</del>": "s" };

// Raw `<em>…</em>`, `<strong>…</strong>` and `<del>…</del>` pairs (exactly
// those spellings, properly nested within one paragraph) become marks that
// remember they were HTML, so they can be edited and written back as HTML.
function htmlMarks(state) {
  for (const block of state.tokens) {
    if (block.type !== "inline" || !block.children) continue;
    const kids = block.children;
    const stack = [];
    const pairs = [];
    let ok = true;
    for (let i = 0; i < kids.length && ok; i++) {
      const t = kids[i];
      if (t.type !== "html_inline") continue;
      const html = t.content;
      if (HTML_MARKS[html]) stack.push({ i, name: HTML_MARKS[html] });
      else if (HTML_CLOSE[html]) {
        const top = stack.pop();
        if (!top || top.name !== HTML_CLOSE[html]) ok = false;
        else pairs.push([top.i, i, top.name]);
      }
    }
    if (!ok || stack.length) continue;
    for (const [a, b, name] of pairs) {
      // An empty pair would leave no text to carry the mark, and a pair
      // that crosses Markdown's own delimiters cannot be a mark: keep those
      // raw.
      if (b === a + 1) continue;
      // Nor one that starts or ends with a line break: Markdown cannot
      // write a break at the edge of a paragraph.
      if (/break$/.test(kids[a + 1].type) || /break$/.test(kids[b - 1].type)) continue;
      let depth = 0;
      let crosses = false;
      for (let k = a + 1; k < b && !crosses; k++) {
        if (kids[k].type === "html_inline") continue;
        // The same mark inside itself cannot be held either.
        if (kids[k].type === `${name}_open`) crosses = true;
        depth += kids[k].nesting;
        if (depth < 0) crosses = true;
      }
      if (crosses || depth !== 0) continue;
      const open = kids[a];
      const close = kids[b];
      open.type = `${name}_open`;
      open.tag = name;
      open.nesting = 1;
      open.markup = open.content;
      open.info = "html";
      close.type = `${name}_close`;
      close.tag = name;
      close.nesting = -1;
      close.markup = close.content;
      close.info = "html";
    }
  }
}

// Renders footnote definitions where they stand, strikethrough as <del>,
// heading attribute blocks and image alt text as pulldown-cmark does.
function renderDefinitionsInPlace(md) {
  md.renderer.rules.footnote_reference_open = (tokens, idx) =>
    `<div class="footnote-definition" id="${md.utils.escapeHtml(tokens[idx].meta.label)}">` +
    `<sup class="footnote-definition-label">${md.utils.escapeHtml(tokens[idx].meta.label)}</sup>\n`;
  md.renderer.rules.footnote_reference_close = () => "</div>\n";
  const heading = md.renderer.rules.heading_open;
  md.renderer.rules.heading_open = (tokens, idx, options, env, self) => {
    const block = tokens[idx].meta?.attrBlock;
    if (block) {
      const inner = block.slice(1, -1).split(/\s+/).filter(Boolean);
      for (const a of inner) {
        if (a.startsWith("#")) tokens[idx].attrSet("id", a.slice(1));
        else if (a.startsWith(".")) tokens[idx].attrJoin("class", a.slice(1));
      }
    }
    return heading ? heading(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
  };
  // pulldown-cmark writes strikethrough as <del>.
  md.renderer.rules.s_open = () => "<del>";
  md.renderer.rules.s_close = () => "</del>";
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    token.attrs[token.attrIndex("alt")][1] = altText(token.children);
    return self.renderToken(tokens, idx, options);
  };
}

/**
 * A markdown-it instance reading Markdown as Vellum does.
 * `editor: true` adds the editor's own token shapes (figures, HTML marks);
 * without it the instance renders HTML close to pulldown-cmark's (footnote
 * definitions in place, heading attribute blocks applied).
 */
export function createMarkdownIt({ editor = true } = {}) {
  const md = new MarkdownIt("default", { html: true, linkify: false, typographer: false });
  md.validateLink = () => true;
  md.normalizeLink = (url) => url;
  md.normalizeLinkText = (url) => url;
  md.use(footnote);
  // Definitions get a line map, as other blocks have, so that the editor
  // can tell which source lines each one came from.
  const definition = md.block.ruler.__rules__.find((r) => r.name === "footnote_def").fn;
  md.block.ruler.at(
    "footnote_def",
    (state, startLine, endLine, silent) => {
      const at = state.tokens.length;
      const found = definition(state, startLine, endLine, silent);
      if (found && !silent && state.tokens[at]) state.tokens[at].map = [startLine, state.line];
      return found;
    },
    { alt: ["paragraph", "reference"] },
  );
  md.inline.ruler.disable(["footnote_inline"]);
  md.inline.ruler.at("footnote_ref", footnoteRef);
  md.core.ruler.disable(["footnote_tail"]);
  md.inline.ruler.at("strikethrough", tildeTokenize);
  md.inline.ruler2.at("strikethrough", tildePostProcess);
  md.core.ruler.before("inline", "vellum_heading_attrs", headingAttrs);
  if (editor) {
    md.core.ruler.after("inline", "vellum_html_marks", htmlMarks);
    md.core.ruler.after("vellum_html_marks", "vellum_figures", figures);
  } else {
    renderDefinitionsInPlace(md);
  }
  return md;
}

/** Stock markdown-it with the footnote plugin, GFM tables and `~~`. */
export function createStockMarkdownIt() {
  return new MarkdownIt("default", { html: true, linkify: false, typographer: false }).use(footnote);
}
