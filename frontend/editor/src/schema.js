// The document model of Vellum's visual mode: one node or mark for each
// Markdown construct the public renderer (pulldown-cmark) knows, plus atoms
// that keep raw HTML verbatim. Everything here must serialize back to
// Markdown (see serialize.js), so nothing exists that Markdown cannot say.

import { Schema, DOMParser, Fragment } from "prosemirror-model";
import { tableNodes } from "prosemirror-tables";

const ALIGNS = ["left", "center", "right"];

const table = gfmTableParsing(tableNodes({
  tableGroup: "block",
  // GFM cells hold one line of inline content: no breaks of any kind.
  cellContent: "span*",
  cellAttributes: {
    align: {
      default: null,
      getFromDOM(dom) {
        const value = dom.style?.textAlign || dom.getAttribute("align") || "";
        return ALIGNS.includes(value) ? value : null;
      },
      setDOMAttr(value, attrs) {
        // A class, not a style attribute: the admin's CSP has no
        // 'unsafe-inline' for styles.
        if (value) attrs.class = `vm-align-${value}`;
      },
    },
  },
}));

// Elements that would break a cell's single line; a cell holding them
// (pasted from an office program or a web page) keeps their text.
const CELL_BLOCKS =
  "p, div, h1, h2, h3, h4, h5, h6, ul, ol, li, dl, dt, dd, blockquote, pre, table, thead, tbody, tfoot, tr, td, th, " +
  "caption, section, article, header, footer, aside, figure, figcaption, address, hr";

// HTML tables as GFM stores them, so that what the editor shows is what
// Markdown will keep: the first row is the header (GFM has no table
// without one), the rows below hold ordinary cells, and a cell whose HTML
// holds paragraphs, lists or breaks holds their text on one line, a space
// apart.
function gfmTableParsing(nodes) {
  const { table_cell: cell, table_header: header } = nodes;
  nodes.table = {
    ...nodes.table,
    parseDOM: [{ tag: "table", getContent: tableRows }],
  };
  for (const spec of [cell, header]) {
    const [rule] = spec.parseDOM;
    spec.parseDOM = [
      { ...rule, priority: 60, getAttrs: (dom) => dom.querySelector(CELL_BLOCKS) !== null && rule.getAttrs(dom), getContent: cellLine },
      rule,
    ];
  }
  return nodes;
}

function tableRows(dom, schema) {
  const { table, table_row: row, table_cell: cell, table_header: header } = schema.nodes;
  // A table's caption is not a row: it has no place in GFM.
  const parsed = DOMParser.fromSchema(schema).parse(dom, {
    topNode: table.create(),
    ruleFromNode: (node) => (node.nodeName === "CAPTION" ? { ignore: true } : null),
  });
  const rows = [];
  parsed.forEach((tr, _, index) => {
    const type = index === 0 ? header : cell;
    const cells = [];
    tr.forEach((c) => cells.push(c.type === type ? c : type.create(c.attrs, c.content, c.marks)));
    rows.push(row.create(tr.attrs, cells, tr.marks));
  });
  return Fragment.from(rows);
}

function cellLine(dom, schema) {
  const copy = dom.cloneNode(true);
  for (const block of copy.querySelectorAll(CELL_BLOCKS)) block.replaceWith(...block.childNodes, " ");
  return DOMParser.fromSchema(schema).parse(copy, { topNode: schema.nodes.table_cell.create() }).content;
}

function headingParse(level) {
  return { tag: `h${level}`, attrs: { level } };
}

export const schema = new Schema({
  nodes: {
    doc: { content: "block+" },

    paragraph: {
      content: "inline*",
      group: "block",
      parseDOM: [{ tag: "p" }],
      toDOM: () => ["p", 0],
    },

    heading: {
      // attrBlock: a pulldown-cmark heading attribute block such as
      // `{#id .class}`, kept verbatim. setext: written with an underline.
      attrs: {
        level: { default: 2 },
        attrBlock: { default: null },
        setext: { default: false },
      },
      // Hard breaks only happen in setext headings; an ATX heading writes
      // them as spaces.
      content: "inline*",
      group: "block",
      defining: true,
      parseDOM: [1, 2, 3, 4, 5, 6].map(headingParse),
      toDOM: (node) => [
        `h${node.attrs.level}`,
        node.attrs.attrBlock ? { "data-attrs": node.attrs.attrBlock } : {},
        0,
      ],
    },

    blockquote: {
      content: "block+",
      group: "block",
      defining: true,
      parseDOM: [{ tag: "blockquote" }],
      toDOM: () => ["blockquote", 0],
    },

    horizontal_rule: {
      attrs: { markup: { default: "---" } },
      group: "block",
      parseDOM: [{ tag: "hr" }],
      toDOM: () => ["div", { class: "vm-hr" }, ["hr"]],
    },

    code_block: {
      attrs: { params: { default: "" } },
      content: "text*",
      marks: "",
      group: "block",
      code: true,
      defining: true,
      parseDOM: [
        {
          tag: "pre",
          preserveWhitespace: "full",
          getAttrs(dom) {
            const code = dom.querySelector("code");
            const cls = (code && code.className) || "";
            const lang = /(?:^|\s)language-(\S+)/.exec(cls);
            return { params: dom.getAttribute("data-params") || (lang ? lang[1] : "") };
          },
        },
      ],
      toDOM: (node) => [
        "pre",
        node.attrs.params ? { "data-params": node.attrs.params } : {},
        ["code", 0],
      ],
    },

    // A block of raw HTML, edited as source text like a code block and
    // written back exactly as it is.
    html_block: {
      content: "text*",
      marks: "",
      group: "block",
      code: true,
      defining: true,
      isolating: true,
      parseDOM: [{ tag: "pre.vm-html-block", preserveWhitespace: "full" }],
      toDOM: () => ["pre", { class: "vm-html-block", "aria-label": "HTML" }, ["code", 0]],
    },

    // An image alone in its paragraph: the image title is its caption.
    // Written as `![alt](src "caption")` on a line of its own.
    figure: {
      attrs: { src: { default: "" }, alt: { default: "" } },
      content: "text*",
      marks: "",
      group: "block",
      draggable: true,
      isolating: true,
      parseDOM: [
        {
          tag: "figure",
          contentElement: "figcaption",
          getAttrs(dom) {
            const img = dom.querySelector("img");
            if (!img) return false;
            return { src: img.getAttribute("src") || "", alt: img.getAttribute("alt") || "" };
          },
        },
      ],
      toDOM: (node) => [
        "figure",
        { class: "vm-figure" },
        ["img", { src: node.attrs.src, alt: node.attrs.alt, contenteditable: "false", draggable: "false" }],
        ["figcaption", { "data-placeholder": "Caption" }, 0],
      ],
    },

    bullet_list: {
      attrs: { tight: { default: true }, bullet: { default: "-" } },
      content: "list_item+",
      group: "block",
      parseDOM: [{ tag: "ul" }],
      toDOM: (node) => ["ul", node.attrs.tight ? { class: "vm-tight" } : {}, 0],
    },

    ordered_list: {
      attrs: { order: { default: 1 }, tight: { default: true }, delim: { default: "." } },
      content: "list_item+",
      group: "block",
      parseDOM: [
        {
          tag: "ol",
          getAttrs: (dom) => ({
            order: dom.hasAttribute("start") ? Number(dom.getAttribute("start")) || 1 : 1,
          }),
        },
      ],
      toDOM: (node) => {
        const attrs = {};
        if (node.attrs.order !== 1) attrs.start = node.attrs.order;
        if (node.attrs.tight) attrs.class = "vm-tight";
        return ["ol", attrs, 0];
      },
    },

    list_item: {
      content: "block+",
      defining: true,
      parseDOM: [{ tag: "li" }],
      toDOM: () => ["li", 0],
    },

    // `[^label]: …`, kept where the author put it: pulldown-cmark renders a
    // definition in place.
    footnote_definition: {
      attrs: { label: { default: "1" } },
      content: "block+",
      group: "block",
      defining: true,
      isolating: true,
      parseDOM: [
        {
          tag: "div.footnote-definition",
          getAttrs: (dom) => ({ label: dom.getAttribute("data-label") || dom.id || "1" }),
        },
      ],
      toDOM: (node) => [
        "div",
        { class: "footnote-definition", "data-label": node.attrs.label },
        0,
      ],
    },

    ...table,

    text: { group: "inline span" },

    image: {
      inline: true,
      attrs: { src: { default: "" }, alt: { default: "" }, title: { default: null } },
      group: "inline span",
      draggable: true,
      parseDOM: [
        {
          tag: "img[src]",
          getAttrs: (dom) => ({
            src: dom.getAttribute("src"),
            alt: dom.getAttribute("alt") || "",
            title: dom.getAttribute("title"),
          }),
        },
      ],
      toDOM: (node) => {
        const { src, alt, title } = node.attrs;
        return ["img", title ? { src, alt, title } : { src, alt }];
      },
    },

    // A line break inside a paragraph's source: shown as a space, written
    // back as the line break it was, so hard-wrapped text stays wrapped.
    softbreak: {
      inline: true,
      group: "inline",
      selectable: false,
      parseDOM: [{ tag: "span.vm-softbreak" }],
      toDOM: () => ["span", { class: "vm-softbreak" }, " "],
    },

    hard_break: {
      inline: true,
      group: "inline",
      selectable: false,
      parseDOM: [{ tag: "br" }],
      toDOM: () => ["br"],
    },

    // Raw inline HTML (`<sup>`, `</sup>`, `<abbr title="…">`…), one tag
    // (or comment) per atom, kept verbatim.
    html_inline: {
      inline: true,
      atom: true,
      attrs: { html: { default: "" } },
      group: "inline span",
      parseDOM: [
        { tag: "span.vm-html", getAttrs: (dom) => ({ html: dom.getAttribute("data-html") || "" }) },
      ],
      toDOM: (node) => [
        "span",
        { class: "vm-html", "data-html": node.attrs.html, title: node.attrs.html },
        node.attrs.html,
      ],
    },

    footnote_ref: {
      inline: true,
      atom: true,
      attrs: { label: { default: "1" } },
      group: "inline span",
      parseDOM: [
        {
          tag: "sup.footnote-reference",
          getAttrs: (dom) => ({ label: dom.getAttribute("data-label") || dom.textContent || "1" }),
        },
      ],
      toDOM: (node) => [
        "sup",
        { class: "footnote-reference", "data-label": node.attrs.label },
        node.attrs.label,
      ],
    },
  },

  marks: {
    // Rank order is nesting order when marks start and end together
    // (emphasis outside links: `**[x](u)**`).
    // `html`: the mark came from raw `<em>…</em>` (etc.) and is written back
    // that way.
    strong: {
      attrs: { html: { default: false } },
      parseDOM: [
        { tag: "strong" },
        { tag: "b", getAttrs: (node) => node.style.fontWeight !== "normal" && null },
        { style: "font-weight", getAttrs: (value) => /^(bold(er)?|[5-9]\d{2,})$/.test(value) && null },
      ],
      toDOM: () => ["strong", 0],
    },
    em: {
      attrs: { html: { default: false } },
      parseDOM: [{ tag: "i" }, { tag: "em" }, { style: "font-style=italic" }],
      toDOM: () => ["em", 0],
    },
    strike: {
      attrs: { html: { default: false } },
      parseDOM: [{ tag: "s" }, { tag: "del" }, { tag: "strike" }, { style: "text-decoration=line-through" }],
      toDOM: () => ["del", 0],
    },
    link: {
      attrs: { href: { default: "" }, title: { default: null }, autolink: { default: false } },
      inclusive: false,
      parseDOM: [
        {
          tag: "a[href]",
          getAttrs: (dom) => ({ href: dom.getAttribute("href"), title: dom.getAttribute("title") }),
        },
      ],
      toDOM: (mark) => {
        const { href, title } = mark.attrs;
        return ["a", title ? { href, title } : { href }, 0];
      },
    },
    code: {
      code: true,
      parseDOM: [{ tag: "code" }],
      toDOM: () => ["code", 0],
    },
  },
});
