// Editing without a browser: commands on an EditorState, and how edits are
// written back (untouched blocks exactly as they were).

import { test } from "node:test";
import assert from "node:assert/strict";
import { EditorState, TextSelection } from "prosemirror-state";
import { parseMarkdown, serializeMarkdown, schema } from "../src/markdown.js";
import { buildCommands, activeFormats, setImage } from "../src/commands.js";

const commands = buildCommands();

function stateFor(markdown) {
  return EditorState.create({ doc: parseMarkdown(markdown) });
}

// Puts the cursor just after the first occurrence of `text`.
function cursorAfter(state, text) {
  let found = null;
  state.doc.descendants((node, pos) => {
    if (found === null && node.isText && node.text.includes(text)) found = pos + node.text.indexOf(text) + text.length;
  });
  assert.notEqual(found, null, `no "${text}" in the document`);
  return state.apply(state.tr.setSelection(TextSelection.create(state.doc, found)));
}

function select(state, text) {
  let found = null;
  state.doc.descendants((node, pos) => {
    if (found === null && node.isText && node.text.includes(text)) found = pos + node.text.indexOf(text);
  });
  return state.apply(state.tr.setSelection(TextSelection.create(state.doc, found, found + text.length)));
}

function run(state, name, arg) {
  let next = state;
  const ran = commands[name](state, (tr) => { next = state.apply(tr); }, undefined, arg);
  assert.ok(ran, `${name} did not run`);
  return next;
}

const md = (state) => serializeMarkdown(state.doc);

test("marks from the toolbar become Markdown", () => {
  let state = select(stateFor("Take one tablet daily.\n"), "one tablet");
  state = run(state, "bold");
  assert.equal(md(state), "Take **one tablet** daily.\n");
  state = run(state, "italic");
  assert.equal(md(state), "Take ***one tablet*** daily.\n");
  assert.deepEqual(
    [activeFormats(state).bold, activeFormats(state).italic, activeFormats(state).strikethrough],
    [true, true, false],
  );
  state = run(select(stateFor("Never stop suddenly.\n"), "Never"), "strikethrough");
  assert.equal(md(state), "~~Never~~ stop suddenly.\n");
});

test("emphasis next to punctuation that Markdown cannot hold is written as HTML", () => {
  let state = select(stateFor("word(inside)word\n"), "(inside)");
  state = run(state, "bold");
  assert.equal(md(state), "word<strong>(inside)</strong>word\n");
  // It reads back as the same bold text.
  assert.ok(parseMarkdown(md(state)).firstChild.child(1).marks[0].type === schema.marks.strong);
});

test("links are added, changed and removed", () => {
  let state = select(stateFor("See the NHS page.\n"), "NHS page");
  state = run(state, "link", { href: "https://www.nhs.uk/", title: "NHS" });
  assert.equal(md(state), 'See the [NHS page](https://www.nhs.uk/ "NHS").\n');
  state = cursorAfter(state, "NHS");
  state = run(state, "link", { href: "/posts/sleep" });
  assert.equal(md(state), "See the [NHS page](/posts/sleep).\n");
  state = run(state, "unlink");
  assert.equal(md(state), "See the NHS page.\n");
});

test("headings, lists and quotes toggle", () => {
  let state = cursorAfter(stateFor("Symptoms\n"), "Symp");
  state = run(state, "heading2");
  assert.equal(md(state), "## Symptoms\n");
  state = run(state, "heading2");
  assert.equal(md(state), "Symptoms\n");
  state = run(state, "bulletList");
  assert.equal(md(state), "- Symptoms\n");
  state = run(state, "orderedList");
  assert.equal(md(state), "1. Symptoms\n");
  state = run(state, "orderedList");
  assert.equal(md(state), "Symptoms\n");
  state = run(state, "blockquote");
  assert.equal(md(state), "> Symptoms\n");
  state = run(state, "blockquote");
  assert.equal(md(state), "Symptoms\n");
});

test("nested lists indent and outdent", () => {
  let state = cursorAfter(stateFor("- one\n- two\n"), "two");
  state = run(state, "indent");
  assert.equal(md(state), "- one\n  - two\n");
  state = run(state, "outdent");
  assert.equal(md(state), "- one\n- two\n");
});

test("table rows and columns are added and removed", () => {
  let state = cursorAfter(stateFor("| A | B |\n|:--|--:|\n| 1 | 2 |\n"), "1");
  state = run(state, "addRowAfter");
  assert.equal(md(state), "| A | B |\n|:---|---:|\n| 1 | 2 |\n| | |\n");
  state = run(state, "addColumnAfter");
  assert.equal(md(state), "| A | | B |\n|:---|---|---:|\n| 1 | | 2 |\n| | | |\n");
  // The cursor stays in the first column.
  state = run(state, "alignCenter");
  assert.equal(md(state), "| A | | B |\n|:---:|---|---:|\n| 1 | | 2 |\n| | | |\n");
  state = run(cursorAfter(state, "2"), "deleteColumn");
  assert.equal(md(state), "| A | |\n|:---:|---|\n| 1 | |\n| | |\n");
  state = run(cursorAfter(state, "1"), "deleteRow");
  assert.equal(md(state), "| A | |\n|:---:|---|\n| | |\n");
  state = run(state, "deleteTable");
  assert.equal(md(state), "");
});

test("a new table has a header row and pipes in cells are escaped", () => {
  let state = run(cursorAfter(stateFor("Before\n"), "Before"), "table");
  state = state.apply(state.tr.insertText("a|b"));
  assert.equal(md(state), "Before\n\n| a\\|b | | |\n|---|---|---|\n| | | |\n| | | |\n");
});

test("a footnote adds a reference and its definition", () => {
  let state = cursorAfter(stateFor("Blood pressure[^1] matters.\n\n[^1]: First.\n"), "matters");
  state = run(state, "footnote");
  state = state.apply(state.tr.insertText("Second note."));
  assert.equal(md(state), "Blood pressure[^1] matters[^2].\n\n[^1]: First.\n\n[^2]: Second note.\n");
});

test("images are inserted and edited with alt text and caption", () => {
  let state = cursorAfter(stateFor("Intro.\n"), "Intro.");
  state = run(state, "image", { src: "/media/bp.jpg", alt: "A cuff on an arm", caption: "Measuring blood pressure" });
  assert.equal(md(state), 'Intro.\n\n![A cuff on an arm](/media/bp.jpg "Measuring blood pressure")\n');
  state = cursorAfter(state, "Measuring");
  let next = state;
  setImage({ alt: "A blood pressure cuff" })(state, (tr) => { next = state.apply(tr); });
  assert.equal(md(next), 'Intro.\n\n![A blood pressure cuff](/media/bp.jpg "Measuring blood pressure")\n');
});

test("rules and hard breaks", () => {
  let state = run(cursorAfter(stateFor("One\n"), "One"), "hardBreak");
  state = state.apply(state.tr.insertText("two"));
  assert.equal(md(state), "One\\\ntwo\n");
  state = run(stateFor("\n"), "horizontalRule");
  assert.equal(md(state), "---\n");
});

test("undo and redo", async () => {
  const { history } = await import("prosemirror-history");
  let state = EditorState.create({ doc: parseMarkdown("Text\n"), plugins: [history()] });
  state = run(select(state, "Text"), "bold");
  assert.equal(md(state), "**Text**\n");
  state = run(state, "undo");
  assert.equal(md(state), "Text\n");
  state = run(state, "redo");
  assert.equal(md(state), "**Text**\n");
});

test("blocks the author did not touch are written exactly as they were", () => {
  const original = [
    "Intro paragraph,",
    "hard-wrapped over",
    "three lines with _underscores_.",
    "",
    "* star bullets",
    "* kept as stars",
    "",
    "Heading",
    "=======",
    "",
    "| a | b |",
    "|---|---|",
    "| 1 | 2 |",
    "",
    "The paragraph to edit.",
    "",
    "[^n]: A note",
    "  with a lazy line.",
    "",
  ].join("\n");
  const sources = new WeakMap();
  let state = EditorState.create({ doc: parseMarkdown(original, { sources }) });
  assert.equal(serializeMarkdown(state.doc, { sources }), original, "unchanged text comes back byte for byte");
  state = cursorAfter(state, "to edit");
  state = state.apply(state.tr.insertText(", now **edited**"));
  const written = serializeMarkdown(state.doc, { sources });
  assert.equal(written, original.replace("The paragraph to edit.", "The paragraph to edit, now \\*\\*edited\\*\\*."));
});

test("a list next to an edited neighbour keeps lists apart", () => {
  const original = "- a\n\nbetween\n\n* b\n";
  const sources = new WeakMap();
  let state = EditorState.create({ doc: parseMarkdown(original, { sources }) });
  // Delete the paragraph between the two lists.
  const para = state.doc.child(1);
  const start = state.doc.child(0).nodeSize;
  state = state.apply(state.tr.delete(start, start + para.nodeSize));
  const written = serializeMarkdown(state.doc, { sources });
  const back = parseMarkdown(written);
  assert.equal(back.childCount, 2, written);
});

test("Enter in an empty last paragraph leaves a quote or a footnote", async () => {
  const { buildKeymap, baseKeymap } = await import("../src/commands.js");
  const { chainCommands } = await import("prosemirror-commands");
  const enter = chainCommands(buildKeymap(commands).Enter, baseKeymap.Enter);
  for (const [source, expected] of [
    ["> quoted\n", "> quoted\n\nafter\n"],
    ["Text[^1].\n\n[^1]: The note.\n", "Text[^1].\n\n[^1]: The note.\n\nafter\n"],
  ]) {
    let state = cursorAfter(stateFor(source), source.includes(">") ? "quoted" : "The note.");
    const press = () => {
      assert.ok(enter(state, (tr) => { state = state.apply(tr); }));
    };
    press(); // a new empty paragraph inside
    press(); // out of the container
    state = state.apply(state.tr.insertText("after"));
    assert.equal(md(state), expected);
  }
});

test("a code fence left open at the end is not kept as it was once text follows it", () => {
  const original = "Intro\n\n```js\nlet x = 1;";
  const sources = new WeakMap();
  let state = EditorState.create({ doc: parseMarkdown(original, { sources }) });
  state = state.apply(state.tr.insert(state.doc.content.size, schema.nodes.paragraph.create(null, schema.text("After"))));
  const written = serializeMarkdown(state.doc, { sources, trailingNewline: false });
  assert.equal(written, "Intro\n\n```js\nlet x = 1;\n```\n\nAfter");
});
