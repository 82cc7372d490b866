// ProseMirror document → Markdown.
//
// prosemirror-markdown's MarkdownSerializer loses information in the cases
// Vellum cares about (soft line breaks, escapes at line starts, emphasis
// next to punctuation, footnotes, tables, raw HTML), so the writing side is
// our own, built on the same document model. Its aims, in order:
//
// 1. What it writes parses back to the same document (checked per block;
//    when emphasis cannot be written with `*`, `**` or `~~` next to
//    punctuation, that block falls back to `<em>`, `<strong>`, `<del>`).
// 2. It writes as little escaping as stays safe for both markdown-it and
//    pulldown-cmark.
// 3. Blocks the author did not touch are written exactly as they were read
//    (when the caller passes the `sources` map from parseMarkdown).

import { parseMarkdown } from "./parse.js";
import { attrBlockStart } from "./tokenizer.js";

const ASCII_PUNCT = /[!-/:-@[-`{-~]/;
const WORD = /[\p{L}\p{N}]/u;
const ENTITY = /^&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)/;
const AUTOLINK_URL = /^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\x00-\x1f\x7f]*$/;
const AUTOLINK_EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
// The first lines of HTML blocks that may interrupt a paragraph (kinds 1-6).
const HTML_BLOCK_INTERRUPTS = new RegExp(
  "^ {0,3}(?:<(?:script|pre|style|textarea)(?:\\s|>|$)|<!--|<\\?|<![A-Za-z]|<!\\[CDATA\\[|" +
    "</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|" +
    "dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|" +
    "html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|" +
    "summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:\\s|/?>|$))",
  "i",
);

const MD_MARKS = new Set(["em", "strong", "strike"]);

/** Escapes `text` so that it reads back as plain text. */
export function escapeText(text, lineStart = false, pipe = "\\|") {
  let s = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    switch (c) {
      case "\\":
        // Always doubled: whether a lone one escapes depends on what
        // follows, which may be another node's output.
        s += "\\\\";
        break;
      case "|":
        s += pipe;
        break;
      case "*":
      case "`":
      case "~":
      case "[":
      case "]":
        s += "\\" + c;
        break;
      case "_": {
        const prev = i > 0 ? text[i - 1] : "";
        const next = i + 1 < text.length ? text[i + 1] : "";
        s += WORD.test(prev) && WORD.test(next) ? "_" : "\\_";
        break;
      }
      case "<":
        s += /[A-Za-z/!?]/.test(text[i + 1] || "") ? "\\<" : "<";
        break;
      case "&":
        s += ENTITY.test(text.slice(i, i + 40)) ? "\\&" : "&";
        break;
      case "\u00a0":
        s += "&nbsp;";
        break;
      default:
        s += c;
    }
  }
  if (lineStart) {
    if (
      /^#{1,6}(?:[ \t]|$)/.test(s) || // ATX heading
      /^>/.test(s) || // block quote
      /^[-+](?:[ \t]|$)/.test(s) || // list item
      /^(?:-+|=+)[ \t]*$/.test(s) || // setext underline, thematic break
      /^[-:|][-:| \t]*$/.test(s) // table delimiter row
    ) {
      s = "\\" + s;
    } else {
      s = s.replace(/^(\d{1,9})([.)])(?=[ \t]|$)/, "$1\\$2"); // ordered item
    }
  }
  return s;
}

function destination(url) {
  url = String(url ?? "").replace(/[\r\n]+/g, "");
  let depth = 0;
  let balanced = true;
  for (let i = 0; i < url.length; i++) {
    if (url[i] === "\\") { i++; continue; }
    if (url[i] === "(") depth++;
    else if (url[i] === ")" && --depth < 0) { balanced = false; break; }
  }
  if (depth !== 0) balanced = false;
  const amp = (s) => s.replace(/&/g, (m, i) => (ENTITY.test(s.slice(i, i + 40)) ? "\\&" : "&"));
  if (!url || (balanced && !/[\s<>\x00-\x1f\x7f]/.test(url))) {
    return amp(url.replace(/\\/g, "\\\\"));
  }
  return "<" + amp(url.replace(/[\\<>]/g, "\\$&")) + ">";
}

function titlePart(title) {
  if (!title) return "";
  const t = String(title).replace(/(\r?\n)+/g, "\n").replace(/[\\"]/g, "\\$&");
  return ' "' + t.replace(/&/g, (m, i) => (ENTITY.test(t.slice(i, i + 40)) ? "\\&" : "&")) + '"';
}

function codeSpan(text) {
  text = text.replace(/\r?\n/g, " ");
  const runs = new Set((text.match(/`+/g) || []).map((r) => r.length));
  let n = 1;
  while (runs.has(n)) n++;
  const ticks = "`".repeat(n);
  // Parsers drop one space at each end when both are spaces (markdown-it
  // even when the code is only spaces, from three on): pad to keep them.
  const pad =
    text.startsWith("`") || text.endsWith("`") || (text.startsWith(" ") && text.endsWith(" ") && (/[^ ]/.test(text) || text.length >= 3))
      ? " "
      : "";
  return ticks + pad + text + pad + ticks;
}

function prefixLines(text, first, rest) {
  return text
    .split("\n")
    .map((line, i) => {
      const p = i === 0 ? first : rest;
      return line === "" ? p.replace(/[ \t]+$/, "") : p + line;
    })
    .join("\n");
}

// The output of one run of inline content, tracking whether the current
// line has anything on it yet.
class InlineOut {
  constructor(lineStart, pipe) {
    this.s = "";
    this.lineEmpty = lineStart;
    this.pipe = pipe;
  }
  raw(str) {
    if (!str) return;
    this.s += str;
    this.lineEmpty = false;
    this.afterRef = null;
  }
  // Raw text at the start of a continuation line that a parser could take
  // for the start of a block (an HTML block, a footnote definition): four
  // spaces of indent make that impossible, and paragraphs drop them.
  rawGuarded(str, risky) {
    if (this.lineEmpty && risky && this.s.endsWith("\n")) this.s += "    ";
    this.raw(str);
  }
  text(str) {
    if (!str) return;
    if (this.lineEmpty) {
      str = str.replace(/^[ \t]+/, "");
      if (!str) return;
    }
    let escaped = escapeText(str, this.lineEmpty, this.pipe);
    // Right after `[^1]`, a `(` would make it a link, and a `:` opening a
    // line would make it a footnote definition.
    if (this.afterRef && (escaped.startsWith("(") || (this.afterRef.opensLine && escaped.startsWith(":")))) {
      escaped = "\\" + escaped;
    }
    this.s += escaped;
    this.lineEmpty = false;
    this.afterRef = null;
  }
  newline(hard) {
    // Spaces before a soft break are dropped by the parser (and two would
    // make a hard break); before a backslash they are kept.
    if (!this.lineEmpty && !hard) this.s = this.s.replace(/ +$/, "");
    if (!hard && this.lineEmpty) return;
    this.s += hard ? "\\\n" : "\n";
    this.lineEmpty = true;
  }
  // `!` right before `[` would start an image.
  guardBang() {
    const m = /(\\*)!$/.exec(this.s);
    if (m && m[1].length % 2 === 0) this.s = this.s.slice(0, -1) + "\\!";
  }
}

const isBreak = (node) => node.type.name === "hard_break" || node.type.name === "softbreak";

function markKey(mark) {
  const attrs = { ...mark.attrs };
  delete attrs.html;
  delete attrs.autolink;
  return mark.type.name + JSON.stringify(attrs);
}

// A comparable form of inline content, blind to what Markdown cannot keep:
// whether emphasis was `*` or `<em>`, and emphasis on whitespace at its
// edges or on line breaks (moved outside the delimiters), and spaces at the
// start or end of a line.
export function inlineUnits(node) {
  const units = [];
  node.forEach((child) => {
    const all = child.marks.map(markKey);
    const solid = child.marks.filter((m) => !MD_MARKS.has(m.type.name)).map(markKey);
    if (child.isText) {
      for (const ch of child.text) units.push((/[^\S\u00a0]/.test(ch) ? solid.join() : all.join()) + "|" + ch);
    } else if (isBreak(child)) {
      units.push(child.type.name);
    } else {
      // Only text can be code.
      const marks = child.marks.filter((m) => m.type.name !== "code").map(markKey);
      units.push(marks.join() + "|" + child.type.name + JSON.stringify(child.attrs));
    }
  });
  // Spaces around line boundaries do not survive Markdown.
  const isSpace = (u) => /\|[ \t]$/.test(u) && !u.startsWith("code{}") && !u.includes(",code{}");
  const out = [];
  for (let i = 0; i < units.length; i++) {
    if (!isSpace(units[i])) { out.push(units[i]); continue; }
    let j = i;
    while (j < units.length && isSpace(units[j])) j++;
    const before = out.length ? out[out.length - 1] : "softbreak";
    const after = j < units.length ? units[j] : "softbreak";
    if (!(isBreakUnit(before) || isBreakUnit(after))) out.push(...units.slice(i, j));
    i = j - 1;
  }
  // A soft break right after another break (or at the start) has no line
  // to end, and breaks at the end of a block are not written.
  const kept = out.filter((u, i) => !(u === "softbreak" && (i === 0 || isBreakUnit(out[i - 1]))));
  while (kept.length && isBreakUnit(kept[kept.length - 1])) kept.pop();
  return kept.join("\n");
}
function isBreakUnit(u) {
  return u === "softbreak" || u === "hard_break";
}

class Writer {
  constructor(doc, { sources = null, verify = true } = {}) {
    this.sources = sources;
    this.verify = verify;
    this.labels = [];
    doc.descendants((node) => {
      if (node.type.name === "footnote_definition") this.labels.push(node.attrs.label);
    });
  }

  // The written children of a block; those that write nothing (empty
  // paragraphs) are left out.
  parts(parent, top = false) {
    const parts = [];
    parent.forEach((child, _, index) => {
      const prev = parts.length ? parts[parts.length - 1] : null;
      const marker = listMarker(child, prev);
      let text;
      if (top && this.sources && this.sources.has(child) && marker === ownMarker(child)) {
        text = this.sources.get(child);
      } else {
        text = this.block(child, parent, index, marker);
      }
      if (text !== null) parts.push({ node: child, text, marker });
    });
    return parts;
  }

  // Block content, children separated by blank lines (or single newlines
  // in tight list items, where a blank line would loosen the list).
  blocks(parent, tight = false, top = false) {
    return joinParts(this.parts(parent, top), tight);
  }

  block(node, parent, index, marker) {
    switch (node.type.name) {
      case "paragraph": {
        const text = this.inlineChecked(node, { lineStart: true });
        return text === "" ? null : text;
      }
      case "heading":
        return this.heading(node);
      case "blockquote":
        return prefixLines(this.blocks(node), "> ", "> ");
      case "bullet_list":
      case "ordered_list":
        return this.list(node, marker);
      case "code_block":
        return this.codeBlock(node);
      case "html_block": {
        let text = node.textContent.replace(/\n+$/, "");
        // After a list marker, leading spaces would be taken for padding.
        if (parent && parent.type.name === "list_item" && index === 0) text = text.replace(/^[ \t]+/, "");
        return text.trim() === "" ? null : text;
      }
      case "horizontal_rule": {
        let markup = /^(?:(?:\* *){3,}|(?:- *){3,}|(?:_ *){3,})$/.test(node.attrs.markup || "") ? node.attrs.markup : "---";
        // `- ---` or `* ***` would be one rule, not an item holding a rule.
        if (parent && parent.type.name === "list_item") markup = "___";
        return markup;
      }
      case "figure":
        return this.figure(node);
      case "table":
        return this.table(node);
      case "footnote_definition":
        return prefixLines(this.blocks(node), `[^${node.attrs.label}]: `, "    ");
      default:
        // Unknown blocks keep their text rather than vanish.
        return node.textContent ? escapeText(node.textContent, true) : null;
    }
  }

  heading(node) {
    const { level, attrBlock } = node.attrs;
    let soft = false;
    node.forEach((c) => { if (isBreak(c)) soft = true; });
    const tail = attrBlock ? " " + attrBlock : "";
    if (level <= 2 && (node.attrs.setext || soft) && node.content.size > 0) {
      // A `|` in a line over `---` could make markdown-it see a one-column
      // table: write the heading's pipes as `&#124;`.
      let text = this.inlineChecked(node, { lineStart: true, pipe: "&#124;" });
      const last = text.slice(text.lastIndexOf("\n") + 1);
      if (text.trim() !== "" && !(level === 2 && last.includes("|"))) {
        if (!attrBlock) text = guardAttrBlock(text);
        return text + tail + "\n" + (level === 1 ? "===" : "---");
      }
    }
    let text = this.inlineChecked(node, { lineStart: false, breaks: "space" }).replace(/^[ \t]+/, "");
    // A trailing run of #'s would be read as a closing sequence.
    text = text.replace(/(^|[ \t])(#+[ \t]*)$/, "$1\\$2");
    if (!attrBlock) text = guardAttrBlock(text);
    return "#".repeat(level) + (text ? " " + text : "") + tail;
  }

  list(node, marker) {
    const ordered = node.type.name === "ordered_list";
    // A tight list whose items need a blank line between their blocks is
    // loose once written: write it loose throughout, so it reads back the
    // same way.
    let tight = node.attrs.tight !== false;
    const written = [];
    node.forEach((item) => {
      const parts = this.parts(item);
      for (let i = 1; i < parts.length; i++) if (needsBlank(parts[i - 1], parts[i])) tight = false;
      written.push(parts);
    });
    // Tightness shows only on paragraphs: without any, write it tight,
    // as it will read back.
    if (!written.some((parts) => parts.some((p) => ["paragraph", "figure"].includes(p.node.type.name)))) tight = true;
    const start = Math.max(0, Math.min(999999999 - node.childCount, Number(node.attrs.order) || 0));
    const items = written.map((parts, i) => {
      const first = ordered ? `${start + i}${marker} ` : `${marker} `;
      return prefixLines(joinParts(parts, tight), first, " ".repeat(first.length));
    });
    return items.join(tight ? "\n" : "\n\n");
  }

  codeBlock(node) {
    const text = node.textContent;
    const params = String(node.attrs.params || "").replace(/[\r\n]+/g, " ").trim();
    const char = params.includes("`") ? "~" : "`";
    const runs = text.match(char === "`" ? /`{3,}/g : /~{3,}/g) || [];
    const fence = char.repeat(Math.max(3, ...runs.map((r) => r.length + 1)));
    return fence + params + "\n" + (text ? text + "\n" : "") + fence;
  }

  figure(node) {
    const alt = escapeText(node.attrs.alt || "").replace(/\n+/g, "\n");
    return "![" + alt + "](" + destination(node.attrs.src) + titlePart(node.textContent) + ")";
  }

  table(node) {
    const rows = [];
    const aligns = [];
    node.forEach((row, _, r) => {
      const cells = [];
      row.forEach((cell) => {
        const span = Math.max(1, cell.attrs.colspan || 1);
        if (r === 0) for (let k = 0; k < span; k++) aligns.push(cell.attrs.align || null);
        cells.push(this.inlineChecked(cell, { lineStart: false, breaks: "space", cell: true }));
        for (let k = 1; k < span; k++) cells.push("");
      });
      rows.push(cells);
    });
    const width = Math.max(0, ...rows.map((r) => r.length));
    if (!rows.length || width === 0) return null;
    const line = (cells) => {
      const full = cells.concat(Array(width - cells.length).fill(""));
      return "|" + full.map((c) => (c ? ` ${c} ` : " ")).join("|") + "|";
    };
    const delim = Array.from({ length: width }, (_, i) => {
      const a = aligns[i];
      return a === "left" ? ":---" : a === "center" ? ":---:" : a === "right" ? "---:" : "---";
    });
    return [line(rows[0]), "|" + delim.join("|") + "|", ...rows.slice(1).map(line)].join("\n");
  }

  // Inline content, checked by reading it back when it carries emphasis;
  // if the emphasis does not survive, written again with HTML tags for it.
  inlineChecked(node, opts) {
    const text = this.inline(node, opts);
    if (!this.verify) return text;
    let md = false;
    node.forEach((c) => {
      if (c.marks.some((m) => MD_MARKS.has(m.type.name) && !m.attrs.html)) md = true;
    });
    if (!md) return text;
    if (this.readsBack(text, node, opts)) return text;
    return this.inline(node, { ...opts, htmlMarks: true });
  }

  readsBack(text, node, opts) {
    let source;
    if (opts.cell) source = "| " + text + " |\n| --- |";
    else if (node.type.name === "heading" && opts.breaks === "space") source = "#".repeat(node.attrs.level) + " " + text;
    else if (node.type.name === "heading") source = text + "\n" + (node.attrs.level === 1 ? "===" : "---");
    else source = text;
    let doc;
    try {
      doc = parseMarkdown(source, { footnoteLabels: this.labels });
    } catch {
      return false;
    }
    let back = doc.firstChild;
    if (opts.cell) back = back && back.type.name === "table" ? back.firstChild.firstChild : null;
    if (!back || doc.childCount !== 1) return false;
    if (!opts.cell && back.type !== node.type) return false;
    return inlineUnits(back) === inlineUnits(node);
  }

  inline(parent, { lineStart = false, breaks = "newline", cell = false, htmlMarks = false, pipe = "\\|" } = {}) {
    const nodes = [];
    parent.forEach((n) => nodes.push(n));
    // Breaks cannot end a paragraph in Markdown, nor a soft one start it,
    // and spaces at either end are dropped by parsers.
    const blank = (n) => n.isText && /^[ \t]*$/.test(n.text) && !n.marks.some((m) => !MD_MARKS.has(m.type.name));
    while (nodes.length && (isBreak(nodes[nodes.length - 1]) || blank(nodes[nodes.length - 1]))) nodes.pop();
    while (nodes.length && (nodes[0].type.name === "softbreak" || blank(nodes[0]))) nodes.shift();

    const isMd = (m) => MD_MARKS.has(m.type.name) && !m.attrs.html && !htmlMarks;
    const plain = (n) => n.marks.filter((m) => m.type.name !== "code");
    // A break keeps its emphasis only where a delimiter next to it can
    // work: none may close right after a break (the closer would start a
    // line), and none may open right before a soft one (it would end one).
    // Links and HTML tags do not mind.
    const want = nodes.map((n, i) => {
      if (!isBreak(n)) return plain(n);
      let a = i - 1;
      while (a >= 0 && isBreak(nodes[a])) a--;
      let b = i + 1;
      while (b < nodes.length && isBreak(nodes[b])) b++;
      if (b >= nodes.length) return [];
      const after = plain(nodes[b]);
      const before = a >= 0 ? plain(nodes[a]) : [];
      return plain(n).filter(
        (m) =>
          !isMd(m) ||
          (after.some((x) => x.eq(m)) && (n.type.name === "hard_break" || before.some((x) => x.eq(m)))),
      );
    });
    // How far a mark reaches from node i. Whitespace at the end of
    // emphasis will be written outside its delimiters, so does not count.
    const runLength = (mark, i) => {
      let n = 0;
      for (let j = i; j < nodes.length && want[j].some((m) => m.eq(mark)); j++) {
        if (!(isMd(mark) && nodes[j].isText && /^[^\S\u00a0]*$/.test(nodes[j].text))) n = j - i + 1;
      }
      return n;
    };
    const out = new InlineOut(lineStart, pipe);
    const active = [];
    const autolinks = new Set();

    const open = (mark, i) => {
      const name = mark.type.name;
      if (name === "link") {
        const span = runLength(mark, i);
        const node = nodes[i];
        const href = mark.attrs.href || "";
        if (
          mark.attrs.autolink &&
          span === 1 &&
          node.isText &&
          !node.marks.some((m) => m.type.name === "code") &&
          !mark.attrs.title &&
          ((node.text === href && AUTOLINK_URL.test(href)) ||
            (href === "mailto:" + node.text && AUTOLINK_EMAIL.test(node.text)))
        ) {
          autolinks.add(mark);
          out.raw("<");
          return;
        }
        out.guardBang();
        out.raw("[");
        return;
      }
      if (isMd(mark)) out.raw(name === "em" ? "*" : name === "strong" ? "**" : "~~");
      else out.raw(name === "em" ? "<em>" : name === "strong" ? "<strong>" : "<del>");
    };
    const close = (mark) => {
      const name = mark.type.name;
      if (name === "link") {
        if (autolinks.has(mark)) out.raw(">");
        else out.raw("](" + destination(mark.attrs.href) + titlePart(mark.attrs.title) + ")");
        autolinks.delete(mark);
        return;
      }
      if (isMd(mark)) out.raw(name === "em" ? "*" : name === "strong" ? "**" : "~~");
      else out.raw(name === "em" ? "</em>" : name === "strong" ? "</strong>" : "</del>");
    };
    const keepFor = (stack, marks) => {
      let k = 0;
      while (k < stack.length && marks.some((m) => m.eq(stack[k]))) k++;
      return k;
    };

    let pendingSpace = "";
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const w = want[i];
      const keep = keepFor(active, w);
      // Open the marks that reach furthest first (outermost). None can
      // outlast the marks already open below it, which close first.
      const cap = Math.min(Infinity, ...active.slice(0, keep).map((a) => runLength(a, i)));
      const reach = (m) => Math.min(cap, runLength(m, i));
      const toOpen = w
        .filter((m) => !active.slice(0, keep).some((a) => a.eq(m)))
        .sort((a, b) => reach(b) - reach(a) || a.type.rank - b.type.rank);
      const isCode = node.isText && node.marks.some((m) => m.type.name === "code");
      let text = node.isText ? node.text : null;
      let lead = "";
      let trail = "";
      if (text !== null && !isCode) {
        // Emphasis delimiters cannot sit next to whitespace on their inner
        // side: move such whitespace outside them. (A no-break space is
        // written `&nbsp;`, which they can sit next to.)
        if (toOpen.some(isMd)) {
          const m = /^[^\S\u00a0]+/.exec(text);
          if (m) { lead = m[0]; text = text.slice(lead.length); }
        }
        const after = active.slice(0, keep).concat(toOpen);
        const next = i + 1 < nodes.length ? want[i + 1] : [];
        const closing = after.slice(keepFor(after, next));
        if (closing.some(isMd)) {
          const m = /[^\S\u00a0]+$/.exec(text);
          if (m) { trail = m[0]; text = text.slice(0, -trail.length); }
        }
      }
      if (text === "") {
        // Only whitespace: close what ends here, open no emphasis, write it.
        const next = i + 1 < nodes.length ? want[i + 1] : [];
        const stay = Math.min(keep, keepFor(active, next));
        while (active.length > stay) close(active.pop());
        const links = toOpen.filter((m) => !isMd(m));
        if (links.length && active.length === keep) {
          out.text(pendingSpace);
          for (const m of links) {
            open(m, i);
            active.push(m);
          }
          out.raw(lead + trail);
        } else {
          out.text(pendingSpace + lead + trail);
        }
        pendingSpace = "";
        continue;
      }
      while (active.length > keep) close(active.pop());
      out.text(pendingSpace + lead);
      pendingSpace = "";
      for (const m of toOpen) {
        open(m, i);
        active.push(m);
      }
      const inAutolink = active.some((m) => autolinks.has(m));
      const name = node.type.name;
      if (node.isText) {
        if (isCode) out.raw(codeSpan(text));
        else if (inAutolink) out.raw(text);
        else out.text(text.replace(/\r?\n/g, " "));
      } else if (name === "softbreak") {
        if (breaks === "space") out.text(" ");
        else out.newline(false);
      } else if (name === "hard_break") {
        if (breaks === "space") out.text(" ");
        else out.newline(true);
      } else if (name === "image") {
        out.raw(
          "![" + escapeText(node.attrs.alt || "").replace(/\n+/g, "\n") + "](" +
            destination(node.attrs.src) + titlePart(node.attrs.title) + ")",
        );
      } else if (name === "html_inline") {
        out.rawGuarded(node.attrs.html, HTML_BLOCK_INTERRUPTS.test(node.attrs.html));
      } else if (name === "footnote_ref") {
        out.guardBang();
        const first = out.lineEmpty;
        out.rawGuarded(`[^${node.attrs.label}]`, true);
        // `[^1]:` opening a paragraph would define a footnote.
        out.afterRef = { opensLine: first };
      } else if (node.textContent) {
        out.text(node.textContent);
      }
      pendingSpace = trail;
    }
    while (active.length) close(active.pop());
    out.text(pendingSpace);
    let s = out.s.replace(/[ \t]+$/, "");
    if (cell) s = s.replace(/\n/g, " ").replace(/^[ \t]+/, "").replace(/(\\*)\|/g, (m, slashes) => (slashes.length % 2 === 0 ? slashes + "\\|" : m));
    return s;
  }
}

// pulldown-cmark would take a trailing `{…}` as heading attributes: stop it.
function guardAttrBlock(text) {
  const lines = text.split("\n");
  const last = lines[lines.length - 1];
  if (attrBlockStart(last) < 0) return text;
  const close = last.lastIndexOf("}");
  lines[lines.length - 1] = last.slice(0, close) + "\\" + last.slice(close);
  return lines.join("\n");
}

function ownMarker(node) {
  const name = node.type.name;
  if (name === "bullet_list") return ["-", "*", "+"].includes(node.attrs.bullet) ? node.attrs.bullet : "-";
  if (name === "ordered_list") return node.attrs.delim === ")" ? ")" : ".";
  return null;
}

// The marker a list is written with: its own, unless the list written just
// before it is of the same kind with the same marker, which would join the
// two into one list.
function listMarker(node, prev) {
  const own = ownMarker(node);
  if (own === null || !prev || prev.node.type !== node.type || prev.marker !== own) return own;
  if (node.type.name === "bullet_list") return own === "-" ? "*" : "-";
  return own === "." ? ")" : ".";
}

function joinParts(parts, tight) {
  let out = "";
  parts.forEach((part, i) => {
    if (i > 0) out += tight && !needsBlank(parts[i - 1], part) ? "\n" : "\n\n";
    out += part.text;
  });
  return out;
}

// Whether two written blocks in a tight list item need a blank line between
// them to stay two blocks (which loosens the list: only edits get here).
function needsBlank(prevPart, nextPart) {
  const prev = prevPart.node;
  const next = nextPart.node;
  const p = prev.type.name;
  if (p === "html_block" || p === "footnote_definition") return true;
  if (p === "heading" || p === "code_block" || p === "horizontal_rule") return false;
  // After a paragraph-like block, only what may interrupt a paragraph.
  const text = nextPart.text;
  switch (next.type.name) {
    case "heading":
      // An ATX heading interrupts a paragraph; a setext one would join it.
      return !/^#{1,6}(?:[ \t]|$)/.test(text) || /\n(?:=+|-+)$/.test(text);
    case "code_block":
    case "blockquote":
    case "table":
      return false;
    case "horizontal_rule":
      return !/^[*_]/.test(text);
    case "html_block":
      return !HTML_BLOCK_INTERRUPTS.test(text);
    case "bullet_list":
      // An empty first item cannot interrupt a paragraph.
      return /^[-+*][ \t]*(?:\n|$)/.test(text);
    case "ordered_list":
      return !/^1[.)][ \t]*[^ \t\n]/.test(text);
    default:
      return true;
  }
}

/**
 * Writes a document as Markdown.
 * - `sources`: the map parseMarkdown filled; unchanged top-level blocks are
 *   written as they were read.
 * - `verify` (default true): read emphasis back and fall back to HTML tags
 *   where Markdown cannot hold it.
 * - `trailingNewline` (default true): end a non-empty text with "\n".
 */
export function serializeMarkdown(doc, { sources = null, verify = true, trailingNewline = true } = {}) {
  const writer = new Writer(doc, { sources, verify });
  const text = writer.blocks(doc, false, true);
  return text && trailingNewline ? text + "\n" : text;
}
