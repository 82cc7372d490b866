// Editing commands, keyboard shortcuts and Markdown-as-you-type rules.
// Everything here works on EditorState alone (no DOM), so it can be tested
// in Node; commands that need the host (link and image dialogs) get a
// callback through `env`.

import { TextSelection, NodeSelection } from "prosemirror-state";
import {
  toggleMark,
  setBlockType,
  wrapIn,
  lift,
  chainCommands,
  exitCode,
  baseKeymap,
  newlineInCode,
} from "prosemirror-commands";
import { wrapInList, splitListItem, liftListItem, sinkListItem } from "prosemirror-schema-list";
import { undo, redo } from "prosemirror-history";
import {
  inputRules,
  textblockTypeInputRule,
  wrappingInputRule,
  InputRule,
  undoInputRule,
} from "prosemirror-inputrules";
import {
  goToNextCell,
  addRowBefore,
  addRowAfter,
  deleteRow,
  addColumnBefore,
  addColumnAfter,
  deleteColumn,
  deleteTable,
  isInTable,
  selectedRect,
  TableMap,
} from "prosemirror-tables";
import { schema } from "./schema.js";

const { nodes, marks } = schema;

function markActive(state, type) {
  const { from, $from, to, empty } = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

function blockActive(state, type, attrs = {}) {
  const { $from, to } = state.selection;
  const node = $from.parent;
  if (node.type !== type || to > $from.end()) return false;
  return Object.keys(attrs).every((k) => node.attrs[k] === attrs[k]);
}

function inside(state, type) {
  const { $from } = state.selection;
  for (let d = $from.depth; d > 0; d--) if ($from.node(d).type === type) return d;
  return 0;
}

function listType(state) {
  const { $from } = state.selection;
  for (let d = $from.depth; d > 0; d--) {
    const t = $from.node(d).type;
    if (t === nodes.bullet_list || t === nodes.ordered_list) return t;
  }
  return null;
}

// Sets a text block to `type`, or back to a paragraph when it already is.
function toggleBlock(type, attrs) {
  return (state, dispatch) => {
    if (blockActive(state, type, attrs)) return setBlockType(nodes.paragraph)(state, dispatch);
    return setBlockType(type, attrs)(state, dispatch);
  };
}

function toggleList(type) {
  return (state, dispatch) => {
    const current = listType(state);
    if (current === type) return liftListItem(nodes.list_item)(state, dispatch);
    if (current) {
      // Switch the enclosing list to the other kind.
      const { $from } = state.selection;
      for (let d = $from.depth; d > 0; d--) {
        if ($from.node(d).type === current) {
          if (dispatch) dispatch(state.tr.setNodeMarkup($from.before(d), type, { tight: $from.node(d).attrs.tight }));
          return true;
        }
      }
    }
    return wrapInList(type)(state, dispatch);
  };
}

function toggleQuote(state, dispatch) {
  if (inside(state, nodes.blockquote)) return lift(state, dispatch);
  return wrapIn(nodes.blockquote)(state, dispatch);
}

function insertNode(node) {
  return (state, dispatch) => {
    const { $from } = state.selection;
    for (let d = $from.depth; d >= 0; d--) {
      if ($from.node(d).canReplaceWith($from.index(d), $from.index(d), node.type)) {
        if (dispatch) dispatch(state.tr.replaceSelectionWith(node).scrollIntoView());
        return true;
      }
    }
    return false;
  };
}

const hardBreak = chainCommands(exitCode, (state, dispatch) => {
  if (!state.selection.$from.parent.type.contentMatch.matchType(nodes.hard_break)) return false;
  if (dispatch) dispatch(state.tr.replaceSelectionWith(nodes.hard_break.create()).scrollIntoView());
  return true;
});

function horizontalRule(state, dispatch) {
  const { $from } = state.selection;
  const hr = nodes.horizontal_rule.create();
  // In an empty paragraph: replace it with the rule and a fresh paragraph.
  if ($from.parent.type === nodes.paragraph && $from.parent.content.size === 0 && $from.depth > 0) {
    if (dispatch) {
      const start = $from.before();
      const tr = state.tr.replaceWith(start, $from.after(), [hr, nodes.paragraph.create()]);
      tr.setSelection(TextSelection.create(tr.doc, start + hr.nodeSize + 1));
      dispatch(tr.scrollIntoView());
    }
    return true;
  }
  return insertNode(hr)(state, dispatch);
}

/** The link under the cursor (or selection), if any. */
export function linkAt(state) {
  const { $from, from, to, empty } = state.selection;
  let found = null;
  if (empty) {
    found = marks.link.isInSet($from.marks()) || ($from.nodeBefore && marks.link.isInSet($from.nodeBefore.marks));
  } else {
    state.doc.nodesBetween(from, to, (node) => {
      if (!found) found = marks.link.isInSet(node.marks) || null;
    });
  }
  return found ? { href: found.attrs.href, title: found.attrs.title } : null;
}

// The extent of the link mark around the cursor.
function linkRange(state) {
  const { $from } = state.selection;
  const parent = $from.parent;
  const start = $from.start();
  let index = $from.index();
  if (index >= parent.childCount || !marks.link.isInSet(parent.child(index).marks)) index--;
  if (index < 0) return null;
  const mark = marks.link.isInSet(parent.child(index).marks);
  if (!mark) return null;
  let from = index;
  let to = index + 1;
  while (from > 0 && mark.isInSet(parent.child(from - 1).marks)) from--;
  while (to < parent.childCount && mark.isInSet(parent.child(to).marks)) to++;
  let pos = start;
  for (let i = 0; i < from; i++) pos += parent.child(i).nodeSize;
  let end = pos;
  for (let i = from; i < to; i++) end += parent.child(i).nodeSize;
  return { from: pos, to: end };
}

/** Applies (or with no href, removes) a link on the selection. */
export function setLink(attrs) {
  return (state, dispatch) => {
    let { from, to, empty } = state.selection;
    if (empty) {
      const range = linkRange(state);
      if (range) ({ from, to } = range);
    }
    const href = attrs && String(attrs.href || "").trim();
    if (!href) {
      if (from === to) return false;
      if (dispatch) dispatch(state.tr.removeMark(from, to, marks.link));
      return true;
    }
    const mark = marks.link.create({ href, title: attrs.title || null });
    if (dispatch) {
      const tr = state.tr;
      if (from === to) {
        const text = String(attrs.text || href);
        tr.insertText(text, from);
        to = from + text.length;
      }
      tr.removeMark(from, to, marks.link).addMark(from, to, mark);
      dispatch(tr.scrollIntoView());
    }
    return true;
  };
}

function nextFootnoteLabel(doc) {
  let max = 0;
  doc.descendants((node) => {
    if (node.type === nodes.footnote_definition || node.type === nodes.footnote_ref) {
      const n = Number(node.attrs.label);
      if (Number.isInteger(n) && n > max) max = n;
    }
  });
  return String(max + 1);
}

// A reference at the cursor and its definition at the end of the text, with
// the cursor moved into the definition.
function insertFootnote(state, dispatch) {
  const { $from } = state.selection;
  if (!$from.parent.type.contentMatch.matchType(nodes.footnote_ref) || $from.parent.type.spec.code) return false;
  if (dispatch) {
    const label = nextFootnoteLabel(state.doc);
    const tr = state.tr.replaceSelectionWith(nodes.footnote_ref.create({ label }), false);
    const def = nodes.footnote_definition.create({ label }, nodes.paragraph.create());
    const end = tr.doc.content.size;
    tr.insert(end, def);
    tr.setSelection(TextSelection.create(tr.doc, end + 2));
    dispatch(tr.scrollIntoView());
  }
  return true;
}

function insertTable(state, dispatch) {
  const cell = (type) => type.create();
  const row = (type) => nodes.table_row.create(null, [cell(type), cell(type), cell(type)]);
  const table = nodes.table.create(null, [row(nodes.table_header), row(nodes.table_cell), row(nodes.table_cell)]);
  if (!insertNode(table)(state)) return false;
  if (dispatch) {
    const tr = state.tr.replaceSelectionWith(table);
    // Put the cursor in the first header cell.
    let pos = null;
    tr.doc.nodesBetween(state.selection.from, tr.doc.content.size, (node, p) => {
      if (pos === null && node.type === nodes.table_header) pos = p + 1;
      return pos === null;
    });
    if (pos !== null) tr.setSelection(TextSelection.create(tr.doc, pos));
    dispatch(tr.scrollIntoView());
  }
  return true;
}

// Aligns the selected columns (GFM aligns whole columns).
function alignColumn(align) {
  return (state, dispatch) => {
    if (!isInTable(state)) return false;
    if (dispatch) {
      const rect = selectedRect(state);
      const tr = state.tr;
      const seen = new Set();
      for (let row = 0; row < rect.map.height; row++) {
        for (let col = rect.left; col < rect.right; col++) {
          const pos = rect.map.map[row * rect.map.width + col];
          if (seen.has(pos)) continue;
          seen.add(pos);
          const cell = rect.table.nodeAt(pos);
          tr.setNodeMarkup(rect.tableStart + pos, null, { ...cell.attrs, align });
        }
      }
      dispatch(tr);
    }
    return true;
  };
}

// Enter in a table cell moves down a row (adding one at the bottom) rather
// than splitting the cell, which a Markdown table cannot hold.
function enterInTable(state, dispatch) {
  if (!isInTable(state)) return false;
  const { $from } = state.selection;
  let depth = $from.depth;
  while (depth > 0 && !["table_cell", "table_header"].includes($from.node(depth).type.name)) depth--;
  if (!depth) return true;
  const table = $from.node(depth - 2);
  const tableStart = $from.start(depth - 2);
  const map = TableMap.get(table);
  const cellPos = $from.before(depth) - tableStart;
  const rect = map.findCell(cellPos);
  if (!dispatch) return true;
  let tr = state.tr;
  let target = rect.bottom < map.height ? map.map[rect.bottom * map.width + rect.left] : null;
  if (target === null) {
    addRowAfter(state, (t) => { tr = t; });
    const newTable = tr.doc.nodeAt(tableStart - 1);
    const newMap = TableMap.get(newTable);
    target = newMap.map[rect.bottom * newMap.width + rect.left];
  }
  const cell = tr.doc.nodeAt(tableStart + target);
  tr.setSelection(TextSelection.create(tr.doc, tableStart + target + 1 + cell.content.size));
  dispatch(tr.scrollIntoView());
  return true;
}

// Enter in a figure's caption leaves the figure for a new paragraph.
function exitCaption(state, dispatch) {
  const { $from } = state.selection;
  if ($from.parent.type !== nodes.figure) return false;
  if (dispatch) {
    const after = $from.after();
    const tr = state.tr.insert(after, nodes.paragraph.create());
    tr.setSelection(TextSelection.create(tr.doc, after + 1));
    dispatch(tr.scrollIntoView());
  }
  return true;
}

// Enter in an empty last paragraph of a quote or footnote leaves it.
function exitContainer(state, dispatch) {
  const { $from, empty } = state.selection;
  if (!empty || $from.depth < 2 || $from.parent.type !== nodes.paragraph || $from.parent.content.size) return false;
  const container = $from.node(-1);
  if (container.type !== nodes.blockquote && container.type !== nodes.footnote_definition) return false;
  if ($from.index(-1) !== container.childCount - 1) return false;
  if (dispatch) {
    const tr = state.tr;
    let after = $from.after(-1);
    if (container.childCount > 1) {
      tr.delete($from.before(), $from.after());
      after -= $from.parent.nodeSize;
    }
    tr.insert(after, nodes.paragraph.create());
    tr.setSelection(TextSelection.create(tr.doc, after + 1));
    dispatch(tr.scrollIntoView());
  }
  return true;
}

// "```js" then Enter in a paragraph makes a code block, as Ghost does.
function fenceOnEnter(state, dispatch) {
  const { $from, empty } = state.selection;
  if (!empty || $from.parent.type !== nodes.paragraph) return false;
  const m = /^```([^\s`]*)$/.exec($from.parent.textContent);
  if (!m || $from.parentOffset !== $from.parent.content.size) return false;
  if (dispatch) {
    const tr = state.tr.delete($from.start(), $from.end());
    tr.setBlockType($from.start(), $from.start(), nodes.code_block, { params: m[1] });
    dispatch(tr.scrollIntoView());
  }
  return true;
}

/** Updates the selected figure, or inserts one (`{src, alt, caption}`). */
export function setImage(attrs) {
  return (state, dispatch) => {
    if (!attrs || !attrs.src) {
      const fig = selectedFigure(state);
      if (!fig || !attrs) return false;
      attrs = { src: fig.node.attrs.src, ...attrs };
    }
    const caption = attrs.caption ?? attrs.title ?? "";
    const fig = selectedFigure(state);
    if (fig) {
      if (dispatch) {
        const node = nodes.figure.create(
          { src: attrs.src ?? fig.node.attrs.src, alt: attrs.alt ?? fig.node.attrs.alt },
          attrs.caption === undefined && attrs.title === undefined ? fig.node.content : caption ? schema.text(caption) : null,
        );
        dispatch(state.tr.replaceWith(fig.pos, fig.pos + fig.node.nodeSize, node));
      }
      return true;
    }
    const node = nodes.figure.create({ src: attrs.src, alt: attrs.alt || "" }, caption ? schema.text(caption) : null);
    return insertNode(node)(state, dispatch);
  };
}

/** The figure selected or holding the cursor, with its position. */
export function selectedFigure(state) {
  const sel = state.selection;
  if (sel instanceof NodeSelection && sel.node.type === nodes.figure) return { node: sel.node, pos: sel.from };
  const { $from } = sel;
  if ($from.parent.type === nodes.figure) return { node: $from.parent, pos: $from.before() };
  return null;
}

/**
 * The commands the toolbar and `exec(name, arg)` run. Each is a ProseMirror
 * command `(state, dispatch?, view?) => boolean`; given no dispatch it only
 * says whether it could run.
 */
export function buildCommands(env = {}) {
  const cmds = {
    bold: toggleMark(marks.strong),
    italic: toggleMark(marks.em),
    strikethrough: toggleMark(marks.strike),
    code: toggleMark(marks.code),
    link: (state, dispatch, view, arg) => {
      if (arg !== undefined) return setLink(arg)(state, dispatch);
      if (state.selection.$from.parent.type.spec.code) return false;
      if (!dispatch) return true;
      if (env.requestLink && view) {
        env.requestLink(linkAt(state), view);
        return true;
      }
      return false;
    },
    unlink: (state, dispatch) => setLink(null)(state, dispatch),
    paragraph: setBlockType(nodes.paragraph),
    heading: toggleBlock(nodes.heading, { level: 2 }),
    codeBlock: toggleBlock(nodes.code_block),
    bulletList: toggleList(nodes.bullet_list),
    orderedList: toggleList(nodes.ordered_list),
    blockquote: toggleQuote,
    indent: sinkListItem(nodes.list_item),
    outdent: liftListItem(nodes.list_item),
    horizontalRule,
    hardBreak,
    footnote: insertFootnote,
    image: (state, dispatch, view, arg) => {
      if (arg !== undefined) return setImage(arg)(state, dispatch);
      if (!dispatch) return true;
      if (env.requestImage && view) {
        env.requestImage(view);
        return true;
      }
      return false;
    },
    table: insertTable,
    addRowBefore,
    addRowAfter,
    deleteRow,
    addColumnBefore,
    addColumnAfter,
    deleteColumn,
    deleteTable,
    alignLeft: alignColumn("left"),
    alignCenter: alignColumn("center"),
    alignRight: alignColumn("right"),
    alignNone: alignColumn(null),
    undo,
    redo,
  };
  for (let level = 1; level <= 6; level++) cmds[`heading${level}`] = toggleBlock(nodes.heading, { level });
  return cmds;
}

/** Which formats apply at the selection, for a toolbar's pressed states. */
export function activeFormats(state) {
  const heading = state.selection.$from.parent.type === nodes.heading ? state.selection.$from.parent.attrs.level : 0;
  return {
    bold: markActive(state, marks.strong),
    italic: markActive(state, marks.em),
    strikethrough: markActive(state, marks.strike),
    code: markActive(state, marks.code),
    link: markActive(state, marks.link),
    heading,
    codeBlock: state.selection.$from.parent.type === nodes.code_block,
    bulletList: listType(state) === nodes.bullet_list,
    orderedList: listType(state) === nodes.ordered_list,
    blockquote: inside(state, nodes.blockquote) > 0,
    table: isInTable(state),
    figure: !!selectedFigure(state),
  };
}

// `**bold**`, `*italic*`, `_italic_`, `~~struck~~` and `` `code` `` as they
// are typed: the delimiters go, the mark stays.
function markRule(regexp, markType) {
  return new InputRule(regexp, (state, match, start, end) => {
    const inner = match[2];
    const whole = match[1];
    const tr = state.tr;
    const textStart = start + match[0].length - whole.length;
    if (state.doc.rangeHasMark(textStart, end, marks.code) && markType !== marks.code) return null;
    tr.replaceWith(textStart, end, schema.text(inner, [...state.doc.resolve(textStart).marks(), markType.create()]));
    tr.removeStoredMark(markType);
    return tr;
  });
}

function ruleForHr() {
  return new InputRule(/^---$/, (state, match, start, end) => {
    const $start = state.doc.resolve(start);
    if ($start.parent.type !== nodes.paragraph || $start.parent.textContent.length !== 2) return null;
    const before = $start.before();
    const tr = state.tr.replaceWith(before, $start.after(), [nodes.horizontal_rule.create(), nodes.paragraph.create()]);
    tr.setSelection(TextSelection.create(tr.doc, before + 2));
    return tr;
  });
}

/** The Markdown shortcuts Ghost has, and a few marks. */
export function markdownInputRules() {
  return inputRules({
    rules: [
      textblockTypeInputRule(/^(#{1,6})\s$/, nodes.heading, (m) => ({ level: m[1].length })),
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      wrappingInputRule(/^\s*([-+*])\s$/, nodes.bullet_list, (m) => ({ bullet: m[1], tight: true })),
      wrappingInputRule(
        /^(\d{1,9})([.)])\s$/,
        nodes.ordered_list,
        (m) => ({ order: Number(m[1]), delim: m[2], tight: true }),
        (m, node) => node.childCount + node.attrs.order === Number(m[1]),
      ),
      textblockTypeInputRule(/^```([^\s`]*)\s$/, nodes.code_block, (m) => ({ params: m[1] })),
      ruleForHr(),
      markRule(/(?:^|[^*\\])(\*\*([^*\s](?:[^*]*[^*\s])?)\*\*)$/, marks.strong),
      markRule(/(?:^|[^*\\])(\*([^*\s](?:[^*]*[^*\s])?)\*)$/, marks.em),
      markRule(/(?:^|[^_\w\\])(_([^_\s](?:[^_]*[^_\s])?)_)$/, marks.em),
      markRule(/(?:^|[^~\\])(~~([^~\s](?:[^~]*[^~\s])?)~~)$/, marks.strike),
      markRule(/(?:^|[^`\\])(`([^`]+)`)$/, marks.code),
    ],
  });
}

/**
 * The editor's keys. Ctrl (⌘ on a Mac) with B, I, K are today's Markdown
 * editor's; so are Ctrl+Alt+2 (heading), Ctrl+Shift+8 (list) and
 * Ctrl+Shift+9 (quote). Ctrl+S is left to the host.
 */
export function buildKeymap(cmds) {
  const keys = {
    "Mod-z": undo,
    "Shift-Mod-z": redo,
    "Mod-y": redo,
    Backspace: undoInputRule,
    "Mod-b": cmds.bold,
    "Mod-i": cmds.italic,
    "Mod-Shift-x": cmds.strikethrough,
    "Mod-e": cmds.code,
    "Mod-k": (state, dispatch, view) => cmds.link(state, dispatch, view),
    "Mod-Alt-0": cmds.paragraph,
    "Mod-Shift-7": cmds.orderedList,
    "Mod-Shift-8": cmds.bulletList,
    "Mod-Shift-9": cmds.blockquote,
    "Mod-Alt-c": cmds.codeBlock,
    "Mod-Alt-f": cmds.footnote,
    "Mod-Enter": chainCommands(exitCode, hardBreak),
    "Shift-Enter": hardBreak,
    Enter: chainCommands(enterInTable, exitCaption, fenceOnEnter, splitListItem(nodes.list_item), exitContainer),
    Tab: chainCommands(goToNextCell(1), sinkListItem(nodes.list_item)),
    "Shift-Tab": chainCommands(goToNextCell(-1), liftListItem(nodes.list_item)),
    "Mod-[": liftListItem(nodes.list_item),
    "Mod-]": sinkListItem(nodes.list_item),
  };
  for (let level = 1; level <= 6; level++) keys[`Mod-Alt-${level}`] = cmds[`heading${level}`];
  return keys;
}

export { baseKeymap, newlineInCode };
