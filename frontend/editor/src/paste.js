// Pasted HTML (Word, Google Docs, LibreOffice, web pages) → the structure
// Markdown can hold, and nothing else.
//
// Office programs wrap a few meaningful things (headings, emphasis, links,
// lists, tables) in a great deal of presentation: fonts, colours, `mso-`
// styles, wrapper elements, empty paragraphs, conditional comments. Rather
// than strip what we know to be noise, the cleaner *rebuilds* the fragment
// from a short list of elements it understands; anything else is unwrapped
// and only its text survives. Emphasis is worked out per run of text from
// the tags and inline styles around it (Google Docs marks bold with
// `font-weight:700` on a span, and un-bolds with `font-weight:normal`), so
// an inner style can undo an outer one.
//
// Images cannot stay as they are: `data:` images become files for the host
// to upload, images on the web become links until someone uploads them, and
// images that only point at the author's disk (`file:`, Word's temporary
// clip files) cannot be had at all and are counted.

import { DOMParser as SchemaParser } from "prosemirror-model";
import { schema } from "./schema.js";
import { serializeMarkdown } from "./serialize.js";
import { parseStyle, wordListInfo, wordListItem, buildWordLists } from "./paste-word.js";

// Elements whose content is never wanted: code, metadata, controls, media
// we cannot keep, navigation around an article.
const DROP = new Set(
  ("script style noscript template head title meta link base iframe frame frameset object embed applet " +
    "svg canvas video audio map area source track button input select option optgroup textarea datalist " +
    "dialog nav xml vm-style").split(" "),
);
// Containers that only group blocks: their inline content becomes
// paragraphs, their blocks are kept.
const CONTAINERS = new Set(
  ("html body div section article main header footer aside address center figure figcaption details " +
    "summary hgroup fieldset legend form dl dt dd search").split(" "),
);
// What the cleaner writes at block level.
const BLOCKS = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "table", "hr"]);
// Source elements that start a block (flattened where only inline content fits).
const BLOCK_SOURCES = new Set([...CONTAINERS, ...BLOCKS, "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "menu", "dir"]);
const LISTS = new Set(["ul", "ol", "menu", "dir"]);
const HEADING = /^h[1-6]$/;
const MONOSPACE = /mono|courier|consolas|menlo|monaco|code|lucida console/i;

const isElement = (node, tag) => node && node.nodeType === 1 && (!tag || node.localName === tag);
const hasText = (nodes) => nodes.some((n) => /\S/.test(n.textContent));
const isBreak = (node) => isElement(node, "br");
const isBlankText = (node) => node.nodeType === 3 && !/\S/.test(node.nodeValue.replace(/\u00a0/g, " "));

// Word's comments and tracked deletions: not part of the text as it reads.
function isWordAnnotation(el, style) {
  const cls = el.getAttribute("class") || "";
  if (/(^|\s)(msocom\w*|msoanchor\w*|MsoComment\w*|msoDel)(\s|$)/i.test(cls)) return true;
  if (/^comment/.test(style.get("mso-element") || "")) return true;
  if (style.get("mso-special-character") === "comment") return true;
  if (/^#_mso(com|anchor)_/i.test(el.getAttribute("href") || "")) return true;
  // A tracked deletion says who deleted it and when; a plain <del> is strikethrough.
  return (el.localName === "del" || el.localName === "s") && (el.hasAttribute("cite") || el.hasAttribute("datetime"));
}

function isHidden(el, style) {
  return (
    el.hasAttribute("hidden") ||
    el.getAttribute("aria-hidden") === "true" ||
    style.get("display") === "none" ||
    style.get("mso-hide") === "all"
  );
}

// Word's conditional sections that a browser would show but Word means for
// itself only: `<![if supportFields]>` (field codes) and, for comments,
// `<![if !supportAnnotations]>`. The HTML parser turns their markers into
// comments; the content between two markers is removed. (`<![if
// !supportLists]>` holds list markers, which the list code reads.)
function dropWordConditionals(root) {
  const walker = root.ownerDocument.createTreeWalker(root, 128 /* NodeFilter.SHOW_COMMENT */);
  const starts = [];
  while (walker.nextNode()) {
    const m = /^\[if\s+(!?)(\w+)\]$/.exec(walker.currentNode.data.trim());
    if (m && (m[1] === "" || m[2] === "supportAnnotations")) starts.push(walker.currentNode);
  }
  for (const start of starts) {
    const doomed = [];
    let node = start.nextSibling;
    while (node && !(node.nodeType === 8 && /^\[endif\]$/.test(node.data.trim()))) {
      doomed.push(node);
      node = node.nextSibling;
    }
    if (node) doomed.forEach((n) => n.remove());
  }
}

function linkHref(el) {
  const href = (el.getAttribute("href") || "").replace(/[\r\n\t]/g, "").trim();
  // In-document anchors (Word's `#_Toc…`) lead nowhere once pasted, and
  // only web, mail and phone links are safe to keep.
  if (!href || href.startsWith("#")) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) && !/^(https?|mailto|tel):/i.test(href)) return null;
  return href;
}

const EXTENSIONS = { jpeg: "jpg", "svg+xml": "svg", "x-icon": "ico" };

// A `data:` image as a File, or null when it cannot be decoded.
function dataUrlFile(url, number) {
  const m = /^data:(image\/[\w.+-]+)((?:;[^;,]*)*?)(;base64)?,(.*)$/is.exec(url);
  if (!m) return null;
  const type = m[1].toLowerCase();
  let bytes;
  try {
    if (m[3]) {
      const raw = atob(m[4].replace(/\s+/g, ""));
      bytes = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    } else {
      bytes = new TextEncoder().encode(decodeURIComponent(m[4]));
    }
  } catch {
    return null;
  }
  if (!bytes.length) return null;
  const sub = type.slice(6);
  return new File([bytes], `pasted-image-${number}.${EXTENSIONS[sub] || sub}`, { type });
}

// Text of a code block: lines from `<br>` and from block elements (code
// editors put each line in a `<div>`).
function codeText(el) {
  let text = "";
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === 3) text += child.nodeValue;
      else if (!isElement(child) || DROP.has(child.localName)) continue;
      else if (child.localName === "br") text += "\n";
      else {
        const block = BLOCK_SOURCES.has(child.localName);
        if (block && text && !text.endsWith("\n")) text += "\n";
        walk(child);
        if (block && text && !text.endsWith("\n")) text += "\n";
      }
    }
  };
  walk(el);
  return text.replace(/\u00a0/g, " ").replace(/\n$/, "");
}

// Splits inline nodes where two or more line breaks follow each other (a
// paragraph break made of `<br>`s), and trims breaks and spaces at the ends.
function splitOnBreaks(nodes) {
  const parts = [[]];
  let pending = [];
  let breaks = 0;
  for (const node of nodes) {
    if (isBreak(node)) {
      breaks++;
      pending.push(node);
    } else if (isBlankText(node) && breaks) {
      pending.push(node);
    } else {
      if (breaks >= 2) parts.push([]);
      else parts[parts.length - 1].push(...pending);
      pending = [];
      breaks = 0;
      parts[parts.length - 1].push(node);
    }
  }
  return parts.map(trimBreaks).filter(hasText);
}

function trimBreaks(nodes) {
  let start = 0;
  let end = nodes.length;
  while (start < end && (isBreak(nodes[start]) || isBlankText(nodes[start]))) start++;
  while (end > start && (isBreak(nodes[end - 1]) || isBlankText(nodes[end - 1]))) end--;
  return nodes.slice(start, end);
}

// Rebuilds one pasted fragment. `ctx` is what applies to the text being
// read: bold, italic, strike, code, script ("sup"/"sub"), link, plain (no
// bold: headings and header cells are bold already), inline (only inline
// content fits: headings, table cells).
class Cleaner {
  constructor(doc) {
    this.doc = doc;
    this.images = [];
    this.skipped = 0;
    this.seen = new Set();
    // Shapes Word also drew as an <img>, so a VML copy is not counted twice.
    this.shapes = new Set();
    for (const img of doc.querySelectorAll("img")) {
      for (const id of (img.getAttribute("v:shapes") || "").split(/[\s,]+/)) if (id) this.shapes.add(id);
    }
  }

  make(tag, children = [], attrs = {}) {
    const el = this.doc.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) if (value != null) el.setAttribute(name, value);
    el.append(...children);
    return el;
  }

  // The child nodes of `parent`, rebuilt; a run of Word list paragraphs
  // becomes real lists.
  children(parent, ctx) {
    const out = [];
    const nodes = Array.from(parent.childNodes);
    for (let i = 0; i < nodes.length; i++) {
      if (!ctx.inline && wordListInfo(nodes[i])) {
        const run = [];
        let j = i;
        for (; j < nodes.length; j++) {
          if (wordListInfo(nodes[j])) run.push(nodes[j]);
          else if (!this.isGap(nodes[j])) break;
        }
        out.push(...this.wordLists(run, ctx));
        i = j - 1;
      } else {
        out.push(...this.node(nodes[i], ctx));
      }
    }
    return out;
  }

  // Between two Word list paragraphs, what does not end the list: spaces,
  // comments, empty paragraphs.
  isGap(node) {
    if (node.nodeType === 8 || isBlankText(node)) return true;
    return isElement(node, "p") && !/\S/.test(node.textContent.replace(/\u00a0/g, " ")) && !node.querySelector("img");
  }

  wordLists(run, ctx) {
    const items = run
      .map((p) => wordListItem(p))
      .map((item) => ({ ...item, nodes: trimBreaks(this.children(item.element, this.context(item.element, "p", ctx))) }))
      .filter((item) => hasText(item.nodes));
    return buildWordLists(items, (tag, children, attrs) => this.make(tag, children, attrs));
  }

  node(node, ctx) {
    if (node.nodeType === 3) return this.text(node.nodeValue, ctx);
    if (node.nodeType !== 1) return [];
    return this.element(node, ctx);
  }

  text(value, ctx) {
    // No-break spaces are mostly Word's padding; zero-width ones are noise;
    // line breaks in the source are spaces.
    value = value.replace(/[\u200b\ufeff]/g, "").replace(/[\u00a0 \t\r\n\f]+/g, " ");
    if (!value) return [];
    // Spaces are marked too, so that `<a><b>two</b> <b>words</b></a>`
    // stays one link.
    return [this.marked(this.doc.createTextNode(value), ctx)];
  }

  // Wraps a run in the marks of its context, always nested the same way
  // (link, strong, em, s, script, code) so that neighbours can merge.
  marked(node, ctx) {
    if (ctx.code) node = this.make("code", [node]);
    if (ctx.script) node = this.make(ctx.script, [node]);
    if (ctx.strike) node = this.make("s", [node]);
    if (ctx.italic) node = this.make("em", [node]);
    if (ctx.bold && !ctx.plain) node = this.make("strong", [node]);
    if (ctx.link) node = this.make("a", [node], ctx.link);
    return node;
  }

  // What an element adds to the context of its content: emphasis from its
  // tag, then from its inline style (which may undo the tag's, as Google
  // Docs' `<b style="font-weight:normal">` wrapper does).
  context(el, tag, ctx, style = parseStyle(el)) {
    const next = { ...ctx };
    if (tag === "b" || tag === "strong") next.bold = true;
    if (tag === "i" || tag === "em") next.italic = true;
    if (tag === "s" || tag === "strike" || tag === "del") next.strike = true;
    if (tag === "code" || tag === "kbd" || tag === "samp" || tag === "tt") next.code = true;
    if (tag === "sup" || tag === "sub") next.script = tag;
    if (tag === "a") {
      const href = linkHref(el);
      if (href) next.link = { href, title: el.getAttribute("title") || null };
    }
    // A list's style describes its markers (Google Docs styles each item
    // like its first letter), not the text.
    if (LISTS.has(tag) || tag === "li") return next;
    const weight = style.get("font-weight");
    if (/^(bold|bolder|[6-9]00)$/.test(weight)) next.bold = true;
    else if (/^(normal|lighter|[1-5]00)$/.test(weight)) next.bold = false;
    const italic = style.get("font-style");
    if (/^(italic|oblique)/.test(italic)) next.italic = true;
    else if (italic === "normal") next.italic = false;
    if (/line-through/.test(style.get("text-decoration") || style.get("text-decoration-line") || "")) next.strike = true;
    const align = style.get("vertical-align");
    if (align === "super" || align === "sub") next.script = align === "super" ? "sup" : "sub";
    return next;
  }

  element(el, ctx) {
    const tag = el.localName.toLowerCase();
    if (tag === "img") return this.image(el, ctx);
    if (tag === "v:imagedata") return this.vmlImage(el);
    if (DROP.has(tag) || /^(w|m|v|o):/.test(tag) && tag !== "o:p") return [];
    const style = parseStyle(el);
    if (isHidden(el, style) || isWordAnnotation(el, style)) return [];
    // Word's list marker (`<span style='mso-list:Ignore'>1.<span>`), here
    // outside a list paragraph (a numbered heading): not text.
    if (style.get("mso-list") === "ignore") return [];
    if (ctx.inline && BLOCK_SOURCES.has(tag)) {
      // Block content where only inline content fits: keep its text, a
      // space apart from what follows.
      if (tag === "hr") return [];
      return [...this.children(el, this.context(el, tag, ctx, style)), this.doc.createTextNode(" ")];
    }
    if (tag === "br") return [ctx.inline ? this.doc.createTextNode(" ") : this.make("br")];
    if (tag === "hr") return [this.make("hr")];
    if (tag === "pre" || this.isCodeEditor(el, style)) return this.code(el);
    const inner = this.context(el, tag, ctx, style);
    if (HEADING.test(tag)) return this.textBlock(tag, el, { ...inner, plain: true, inline: true });
    if (tag === "p") return this.textBlock("p", el, inner);
    if (LISTS.has(tag)) return this.list(el, tag === "ol" ? "ol" : "ul", ctx);
    if (tag === "li") return this.listItem(el, ctx).map((li) => this.make("ul", [li]));
    if (tag === "blockquote") return this.quote(el, inner);
    if (tag === "table") return this.table(el, ctx);
    if (CONTAINERS.has(tag)) return this.blocks(this.children(el, inner));
    return this.children(el, inner);
  }

  // A block whose text is monospaced and keeps its spaces: what code
  // editors (VS Code and the like) put on the clipboard.
  isCodeEditor(el, style) {
    return CONTAINERS.has(el.localName) && /^pre/.test(style.get("white-space") || "") && MONOSPACE.test(style.get("font-family") || "");
  }

  code(el) {
    const text = codeText(el);
    if (!/\S/.test(text)) return [];
    const lang = /(?:^|\s)(?:language|lang)-(\S+)/.exec(el.querySelector("code")?.getAttribute("class") || el.getAttribute("class") || "");
    return [this.make("pre", [this.make("code", [text], { class: lang ? `language-${lang[1]}` : null })])];
  }

  // Paragraphs and headings: `<br><br>` inside a paragraph splits it.
  textBlock(tag, el, ctx) {
    const nodes = this.children(el, ctx);
    if (tag !== "p") {
      const trimmed = trimBreaks(nodes);
      return hasText(trimmed) ? [this.make(tag, trimmed)] : [];
    }
    return splitOnBreaks(nodes).map((part) => this.make(tag, part));
  }

  // Blocks from a mix of blocks and inline runs: each run a paragraph.
  blocks(nodes) {
    const out = [];
    let run = [];
    const flush = () => {
      for (const part of splitOnBreaks(run)) out.push(this.make("p", part));
      run = [];
    };
    for (const node of nodes) {
      if (isElement(node) && BLOCKS.has(node.localName)) {
        flush();
        out.push(node);
      } else {
        run.push(node);
      }
    }
    flush();
    return out;
  }

  quote(el, ctx) {
    const blocks = this.blocks(this.children(el, ctx));
    return blocks.length ? [this.make("blockquote", blocks)] : [];
  }

  list(el, tag, ctx) {
    const start = tag === "ol" ? Number.parseInt(el.getAttribute("start") || "1", 10) : 1;
    const list = this.make(tag, [], { start: Number.isFinite(start) && start !== 1 ? String(start) : null });
    let last = null;
    const nodes = Array.from(el.childNodes).flatMap((child) => (isElement(child, "li") ? this.listItem(child, ctx) : this.node(child, ctx)));
    for (const node of nodes) {
      if (isElement(node, "li")) {
        list.append(node);
        last = node;
      } else if (hasText([node])) {
        // Google Docs puts a nested list straight inside the outer list:
        // it belongs to the item before it.
        if (!last) list.append((last = this.make("li")));
        last.append(node);
      }
    }
    return list.firstChild ? [list] : [];
  }

  listItem(el, ctx) {
    const blocks = this.blocks(this.children(el, this.context(el, "li", ctx)));
    if (!hasText(blocks)) return [];
    // One paragraph (and maybe a nested list): the item holds its text
    // directly, as a tight list item does.
    const paragraphs = blocks.filter((b) => !LISTS.has(b.localName));
    if (paragraphs.length === 1 && paragraphs[0] === blocks[0] && blocks[0].localName === "p") {
      blocks.splice(0, 1, ...blocks[0].childNodes);
    }
    return [this.make("li", blocks)];
  }

  // Tables as GFM holds them: the first row is the header, cells hold one
  // line of text, rows without text are left out (Word adds an empty one to
  // fix column widths). A table of one column is layout, not data: its
  // cells' content is kept as blocks.
  table(el, ctx) {
    const cells = Array.from(el.rows || [], (row) => Array.from(row.cells)).filter(hasText);
    if (!cells.some((row) => row.length > 1)) {
      return this.blocks(cells.flat().flatMap((cell) => this.blocks(this.children(cell, ctx))));
    }
    const out = [];
    const caption = el.caption ? trimBreaks(this.children(el.caption, { ...ctx, inline: true })) : [];
    if (hasText(caption)) out.push(this.make("p", caption));
    const [head, ...rest] = cells.map((row, r) => this.make("tr", row.map((cell) => this.cell(cell, r === 0 ? "th" : "td", ctx))));
    out.push(this.make("table", [this.make("thead", [head]), ...(rest.length ? [this.make("tbody", rest)] : [])]));
    return out;
  }

  cell(cell, tag, ctx) {
    const style = parseStyle(cell);
    const align = (cell.getAttribute("align") || style.get("text-align") || "").toLowerCase();
    const span = Number.parseInt(cell.getAttribute("colspan") || "1", 10);
    const inner = { ...this.context(cell, tag, ctx, style), inline: true, plain: tag === "th" };
    return this.make(tag, trimBreaks(this.children(cell, inner)), {
      colspan: span > 1 ? String(span) : null,
      // Left is every cell's default; only the others say something.
      align: align === "center" || align === "right" ? align : null,
    });
  }

  image(el, ctx) {
    let src = (el.getAttribute("src") || "").trim();
    // Lazy-loading pages keep the real address aside and show a placeholder.
    const lazy = (el.getAttribute("data-src") || el.getAttribute("data-lazy-src") || "").trim();
    if (/^https?:/i.test(lazy)) src = lazy;
    if (/^data:image\//i.test(src)) {
      const file = dataUrlFile(src, this.images.length + 1);
      if (file) {
        this.images.push(file);
        return [];
      }
    } else if (/^https?:\/\//i.test(src)) {
      if (Number(el.getAttribute("width")) === 1 && Number(el.getAttribute("height")) === 1) return []; // a tracking pixel
      const alt = (el.getAttribute("alt") || "").replace(/\s+/g, " ").trim() || "Image";
      return this.text(alt, { ...ctx, link: { href: src, title: null } });
    }
    this.skip(src);
    return [];
  }

  // Word's VML picture, unless an <img> stands for the same shape.
  vmlImage(el) {
    let shape = el.parentElement;
    while (shape && shape.localName !== "v:shape") shape = shape.parentElement;
    if (!(shape && this.shapes.has(shape.id))) this.skip(el.getAttribute("src") || "");
    return [];
  }

  skip(src) {
    if (src && this.seen.has(src)) return;
    this.seen.add(src);
    this.skipped++;
  }
}

const MARKS = new Set(["a", "strong", "em", "s", "code", "sup", "sub"]);

// Joins neighbouring inline elements of the same kind and attributes, which
// per-run marking leaves side by side.
function mergeNeighbours(parent) {
  let child = parent.firstChild;
  while (child) {
    const next = child.nextSibling;
    const same =
      isElement(child) && MARKS.has(child.localName) && isElement(next, child.localName) &&
      child.getAttribute("href") === next.getAttribute("href") && child.getAttribute("title") === next.getAttribute("title");
    if (same) {
      child.append(...next.childNodes);
      next.remove();
      continue;
    }
    if (isElement(child)) mergeNeighbours(child);
    child = next;
  }
  parent.normalize();
}

// `<sup>`/`<sub>` have no mark in the editor: they become the raw HTML
// atoms the editor keeps verbatim (`10<sup>9</sup>/L` must not read "109/L").
function scriptsToHtml(root) {
  for (const el of root.querySelectorAll("sup, sub")) {
    const atom = (html) => {
      const span = root.ownerDocument.createElement("span");
      span.className = "vm-html";
      span.setAttribute("data-html", html);
      return span;
    };
    el.replaceWith(atom(`<${el.localName}>`), ...el.childNodes, atom(`</${el.localName}>`));
  }
}

// Parsing HTML, even into an inert document, reports each style attribute,
// <style> element and event handler to the page's Content Security Policy
// (the admin's allows none): nothing would apply or run, but the console
// fills with violations. They are renamed first; parseStyle reads the
// renamed attribute.
function defuse(html) {
  return html
    .replace(/<(\/?)style(?=[\s/>])/gi, "<$1vm-style")
    .replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(/(\s)(style|on[a-z]+)(\s*=)/gi, "$1data-vm-$2$3"));
}

function parseHtml(html, doc) {
  const Parser = (doc && doc.defaultView && doc.defaultView.DOMParser) || globalThis.DOMParser;
  // A parsed document is inert: no scripts run, no images load.
  return new Parser().parseFromString(html, "text/html");
}

/**
 * Cleans HTML from the clipboard (Word, Google Docs, LibreOffice, a web
 * page) down to the structure Markdown can hold. Returns the cleaned HTML,
 * the `data:` images as Files (removed from the HTML), the number of images
 * that could not be had (`file:` and other local addresses), and `hasText`:
 * whether the pasted HTML had any text at all (an office program's picture
 * of itself on the clipboard matters only when it did not).
 */
export function cleanPastedHtml(html, doc = document) {
  // The Windows clipboard's header (`Version:0.9 StartHTML:…`), if a
  // browser passed it on.
  html = String(html ?? "");
  const source = parseHtml(defuse(html.replace(/^\s*Version:\d[^<]*/, "")), doc);
  const body = source.body;
  for (const el of body.querySelectorAll([...DROP].join(", "))) el.remove();
  const hasText = /\S/.test(body.textContent.replace(/\u00a0/g, " "));
  // A copy inside this editor (marked by its clipboard serializer) reads
  // back through the schema as it is; other ProseMirror editors' copies
  // are cleaned like any HTML.
  const slice = body.querySelector("[data-pm-slice]");
  if (slice && (slice.matches("[data-vellum]") || slice.querySelector("[data-vellum]"))) {
    return { html, images: [], skipped: 0, hasText };
  }
  dropWordConditionals(body);
  const cleaner = new Cleaner(source);
  const root = source.createElement("div");
  root.append(...cleaner.blocks(cleaner.children(body, {})));
  mergeNeighbours(root);
  scriptsToHtml(root);
  return { html: root.innerHTML, images: cleaner.images, skipped: cleaner.skipped, hasText };
}

// What makes pasted HTML worth more than its plain text.
const STRUCTURE = "h1, h2, h3, h4, h5, h6, strong, em, s, a, ul, ol, table, blockquote, hr, :not(pre) > code, .vm-html";

/**
 * Pasted HTML as Markdown, the way the visual mode would store it:
 * `{ markdown, images, skipped }`, or null when the HTML holds nothing
 * worth more than its plain text (no headings, emphasis, links, lists,
 * tables, quotes or images), so that the host pastes the text as usual.
 */
export function pasteToMarkdown(html) {
  const cleaned = cleanPastedHtml(html);
  const dom = parseHtml(cleaned.html, document).body;
  if (!cleaned.hasText && !cleaned.images.length) return null;
  if (!cleaned.images.length && !cleaned.skipped && !dom.querySelector(STRUCTURE)) return null;
  const doc = SchemaParser.fromSchema(schema).parse(dom);
  return { markdown: serializeMarkdown(doc), images: cleaned.images, skipped: cleaned.skipped };
}
