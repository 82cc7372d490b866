// Random documents, shaped like what editing produces (marks anywhere,
// awkward characters, breaks, nesting), must be written as Markdown that
// reads back as the same document, and writing is stable.
// FUZZ_SEEDS=1,2,3 picks the seeds (a long run: FUZZ_SEEDS=$(seq -s, 1 500)).

import { test } from "node:test";
import assert from "node:assert/strict";
import { schema, parseMarkdown, serializeMarkdown, toMarkdown, createMarkdownIt } from "../src/markdown.js";
import { inlineUnits } from "../src/serialize.js";

// The document as Markdown can hold it: block structure and inline content,
// blind to what the format has no way to say (see inlineUnits), to empty
// paragraphs, and to list tightness.
function shape(node) {
  const out = [];
  node.forEach((child) => {
    const name = child.type.name;
    const kids = [];
    child.forEach((k) => kids.push(k));
    const blank = (k) => k.isText && /^[ \t]*$/.test(k.text) && !k.marks.some((m) => m.type.name === "code");
    while (kids.length && (/break/.test(kids[kids.length - 1].type.name) || blank(kids[kids.length - 1]))) kids.pop();
    while (kids.length && (kids[0].type.name === "softbreak" || blank(kids[0]))) kids.shift();
    const lone = kids.length === 1 && kids[0].type.name === "image" && !kids[0].marks.some((m) => m.type.name !== "code");
    if (name === "paragraph" && lone) {
      const { src, alt, title } = kids[0].attrs;
      out.push(`figure ${JSON.stringify([src, alt.replace(/\s+/g, " ").trim(), title || ""])}`);
    } else if (name === "figure") {
      out.push(`figure ${JSON.stringify([child.attrs.src, child.attrs.alt.replace(/\s+/g, " ").trim(), child.textContent])}`);
    } else if (child.isTextblock && name !== "code_block" && name !== "html_block") {
      let units = inlineUnits(child);
      if (name === "heading") {
        // An ATX heading writes breaks as spaces, which meet the spaces
        // around them: compare headings without any whitespace.
        units = units
          .split("\n")
          .filter((u) => !/^(softbreak|hard_break)$/.test(u) && !/^[^|]*\|\s$/.test(u))
          .join("\n");
      }
      if (name === "paragraph" && units === "") return;
      out.push(`${name}${name === "heading" ? child.attrs.level : ""}\n${units}`);
    } else if (child.isTextblock) {
      out.push(`${name}\n${child.textContent}`);
    } else if (child.isLeaf) {
      out.push(name);
    } else {
      out.push(`${name}[${shape(child).join("\n")}]`);
    }
  });
  return out;
}

function rng(seed) {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const CHARS = "aaaabcdeé日 *_[]()<>&#!|\\~`-+=:.1'\"\u00a0\t{}^";

function generator(rand) {
  const int = (n) => Math.floor(rand() * n);
  const pick = (a) => a[int(a.length)];
  const word = () => {
    let s = "";
    const n = 1 + int(8);
    for (let i = 0; i < n; i++) s += rand() < 0.5 ? "abcdefgh"[int(8)] : CHARS[int(CHARS.length)];
    return s;
  };
  const marks = () => {
    const out = [];
    if (rand() < 0.25) out.push(schema.marks.em.create());
    if (rand() < 0.25) out.push(schema.marks.strong.create());
    if (rand() < 0.12) out.push(schema.marks.strike.create());
    if (rand() < 0.12) out.push(schema.marks.link.create({ href: pick(["/a", "https://x.org/a b", "/p(1)", "/q?a=1&amp;b"]), title: pick([null, "T \"q\""]) }));
    if (rand() < 0.1) out.push(schema.marks.code.create());
    return out;
  };
  const inline = ({ breaks = true, soft = true } = {}) => {
    const nodes = [];
    const n = 1 + int(7);
    for (let i = 0; i < n; i++) {
      const r = rand();
      if (r < 0.7) {
        const text = word();
        let m = marks();
        // GFM has no way to put `\|` inside code in a table cell.
        if (!soft && /\\/.test(text)) m = m.filter((x) => x.type.name !== "code");
        nodes.push(schema.text(text, m));
      }
      else if (r < 0.76) nodes.push(schema.nodes.image.create({ src: "/i.png", alt: word(), title: pick([null, word()]) }, null, marks()));
      // (Raw HTML that opens an HTML block cannot start a paragraph: the
      // editor cannot make one, and Markdown cannot write one.)
      else if (r < 0.82 && nodes.some((x) => x.isText && /[^ \t]/.test(x.text))) nodes.push(schema.nodes.html_inline.create({ html: pick(["<sup>", "</sup>", "<br>", "<abbr title=\"x\">", "<!-- c -->", "<div>"]) }));
      else if (r < 0.87) nodes.push(schema.nodes.footnote_ref.create({ label: "n1" }));
      else if (r < 0.94 && soft) nodes.push(schema.nodes.softbreak.create());
      else if (breaks) nodes.push(schema.nodes.hard_break.create());
    }
    return nodes;
  };
  const block = (depth) => {
    const r = rand();
    const n = schema.nodes;
    if (r < 0.4 || depth > 2) return n.paragraph.create(null, inline());
    if (r < 0.5) return n.heading.create({ level: 1 + int(6), setext: rand() < 0.3 }, inline({ breaks: false }));
    if (r < 0.58) return n.blockquote.create(null, [block(depth + 1), ...(rand() < 0.5 ? [block(depth + 1)] : [])]);
    if (r < 0.7) {
      const type = rand() < 0.5 ? n.bullet_list : n.ordered_list;
      const items = [];
      const count = 1 + int(3);
      for (let i = 0; i < count; i++) {
        items.push(n.list_item.create(null, [n.paragraph.create(null, inline()), ...(rand() < 0.3 ? [block(depth + 1)] : [])]));
      }
      return type.create(type === n.ordered_list ? { order: int(3), tight: rand() < 0.6 } : { tight: rand() < 0.6, bullet: pick(["-", "*", "+"]) }, items);
    }
    if (r < 0.76) return n.code_block.create({ params: pick(["", "js", "a`b"]) }, rand() < 0.9 ? schema.text(word() + "\n```\n" + word()) : null);
    if (r < 0.8) return n.horizontal_rule.create({ markup: pick(["---", "***", "___"]) });
    if (r < 0.86) return n.figure.create({ src: pick(["/f.png", "/a b.png", "/p(1).png"]), alt: word() }, rand() < 0.7 ? schema.text(word()) : null);
    if (r < 0.94) {
      const rows = [];
      for (let i = 0; i < 2; i++) {
        const cells = [];
        for (let j = 0; j < 2; j++) {
          const type = i === 0 ? n.table_header : n.table_cell;
          cells.push(type.create({ align: pick([null, "left", "center", "right"]) }, inline({ breaks: false, soft: false })));
        }
        rows.push(n.table_row.create(null, cells));
      }
      return n.table.create(null, rows);
    }
    return n.paragraph.create(null, inline());
  };
  return () => {
    const blocks = [];
    const count = 1 + int(5);
    for (let i = 0; i < count; i++) blocks.push(block(0));
    blocks.push(schema.nodes.footnote_definition.create({ label: "n1" }, [schema.nodes.paragraph.create(null, inline())]));
    return schema.nodes.doc.create(null, blocks);
  };
}

const vellum = createMarkdownIt({ editor: false });

test("random documents write as Markdown that is stable and reads back the same", async () => {
  let checked = 0;
  const seeds = process.env.FUZZ_SEEDS ? process.env.FUZZ_SEEDS.split(",").map(Number) : [1, 2, 3, 4, 5, 6, 7, 8];
  for (const seed of seeds) {
    const make = generator(rng(seed));
    for (let i = 0; i < 150; i++) {
      const doc = make();
      let md;
      try {
        doc.check();
      } catch {
        continue; // the generator made something the schema forbids
      }
      md = serializeMarkdown(doc);
      // FUZZ_DUMP=seed:index writes that document's JSON to fuzz-doc.json
      // in the temporary directory, for debugging.
      if (process.env.FUZZ_DUMP === `${seed}:${i}`) {
        const { writeFileSync } = await import("node:fs");
        const { tmpdir } = await import("node:os");
        writeFileSync(`${tmpdir()}/fuzz-doc.json`, JSON.stringify(doc.toJSON()));
      }
      const again = serializeMarkdown(parseMarkdown(md));
      const context = `seed ${seed} #${i}\n${JSON.stringify(md)}`;
      assert.equal(again, md, `unstable: ${context}`);
      assert.equal(toMarkdown(md), md, `toMarkdown unstable: ${context}`);
      assert.equal(vellum.render(again), vellum.render(md), context);
      assert.deepEqual(shape(parseMarkdown(md)), shape(doc), `reads back differently: ${context}`);
      checked++;
    }
  }
  assert.ok(checked > 1000, `only ${checked} documents checked`);
});

// Random Markdown, as authors type it in Markdown mode: the round trip is
// stable and renders the same.
const FRAGMENTS = ["word", "two words", "a", "b", "*", "**", "_", "__", "~", "~~", "`", "``", "[", "]", "(", ")", "![", "<", ">",
  "&amp;", "&", "&copy;", "#", "##", "\\", "|", "!", "-", "+", "1.", "2)", "\n", "  \n", "\\\n", "\n\n", "<sup>", "</sup>",
  "<em>", "</em>", "<b>", "[^1]", "[^n]", "http://x.y", "<http://a.b>", " ", "{#id}", "{", "}", "\"", "'", ":", "---", "===",
  "> ", "- ", "* ", "1. ", "    ", "\n```js\ncode *x*\n```\n", "\n~~~\n```\n~~~\n", "\n| a | b |\n|---|---|\n| c | d |\n",
  "\u00a0", "\t", "<div>", "</div>", "[x](/u)", "[x](/u \"t\")", "![i](/p.png)", "![i](/p.png \"cap\")", "\n[^1]: note\n",
  "\n\n[^n]: other\n", "é", "日本", "[ref]", "\n[ref]: /r\n", "<!-- c -->", "&#42;", "\\*", "\\_", "\\[", "\\#", "x_y", "_x_",
  "*x*", "**x**", "~~x~~", "`c`"];

function nestsInItself(html) {
  for (const tag of ["em", "strong", "del"]) {
    let depth = 0;
    for (const m of html.matchAll(new RegExp(`<(/?)${tag}>`, "g"))) {
      depth = m[1] ? Math.max(0, depth - 1) : depth + 1;
      if (depth > 1) return true;
    }
  }
  return false;
}

// Adjacent runs of the same emphasis (`*a*_b_`) become one run, as
// ProseMirror merges equal marks, and marks covering exactly the same text
// may come back nested the other way round: compare with those evened out.
function seamless(html) {
  let before;
  do {
    before = html;
    html = html
      .replace(/<\/(em|strong|del)><\1>/g, "")
      .replace(/<a ([^>]*)><(em|strong|del)>([^<]*)<\/\2><\/a>/g, "<$2><a $1>$3</a></$2>")
      // Two kinds of emphasis on the same text, in either order.
      .replace(/<(em|strong|del)><(em|strong|del)>([^<]*)<\/\2><\/\1>/g, (m, a, b, text) =>
        a < b ? m : `<${b}><${a}>${text}</${a}></${b}>`);
  } while (html !== before);
  return html;
}

test("random Markdown text round-trips stably to the same HTML", () => {
  let checked = 0;
  for (const seed of (process.env.TEXT_SEEDS || "7,11,23").split(",").map(Number)) {
    const rand = rng(seed);
    for (let n = 0; n < 1000; n++) {
      let md = "";
      let links = 0;
      const length = 2 + Math.floor(rand() * 25);
      for (let i = 0; i < length; i++) {
        // Distinct link targets: two identical adjacent links would merge.
        md += FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)].replace(/\/u\b|\ba\.b\b/g, (m) => (m === "/u" ? `/u${links++}` : `a${links++}.b`));
      }
      const original = vellum.render(md);
      // Known gaps (ENGINE.md): marks nested in themselves, and a code
      // fence left open at the very end (no final newline in its code).
      if (nestsInItself(original) || /[^\n]<\/code><\/pre>\n$/.test(original)) continue;
      const once = toMarkdown(md);
      assert.equal(toMarkdown(once), once, `unstable: ${JSON.stringify(md)}`);
      assert.equal(seamless(vellum.render(once)), seamless(original), `renders differently: ${JSON.stringify(md)} → ${JSON.stringify(once)}`);
      checked++;
    }
  }
  assert.ok(checked > 2500, `only ${checked} texts checked`);
});
