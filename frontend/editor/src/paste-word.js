// Word's lists. Word does not write `<ul>`/`<ol>` on the clipboard: each
// item is a paragraph of its own (`MsoListParagraphCxSpFirst/Middle/Last`,
// or any paragraph) whose style says which list and level it belongs to,
// `mso-list:l0 level2 lfo1`, and whose marker is text in a span Word tells
// itself to ignore:
//
//   <p class=MsoListParagraphCxSpFirst style='…;mso-list:l0 level1 lfo1'>
//   <![if !supportLists]><span style='font-family:Symbol'><span
//   style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>
//   &nbsp;&nbsp;</span></span></span><![endif]>First item<o:p></o:p></p>
//
// Bullets are symbol-font characters (`·`, `o`, `§`, `Ø`…); numbers are
// `1.`, `a)`, `iv.`, `(2)`. The stylesheet in Word's <head> also describes
// each level, but the marker is on every item and says the same.

/** The inline style of `el` as a map of lower-case properties to lower-case values. */
export function parseStyle(el) {
  const map = new Map();
  // Read from the attribute text, not the CSSOM: `mso-` properties are not
  // CSS and the CSSOM drops them. (The cleaner renames the attribute before
  // parsing: see defuse in paste.js.)
  const text = el.getAttribute && (el.getAttribute("data-vm-style") ?? el.getAttribute("style"));
  if (!text) return map;
  for (const part of text.split(";")) {
    const colon = part.indexOf(":");
    if (colon > 0) map.set(part.slice(0, colon).trim().toLowerCase(), part.slice(colon + 1).replace(/\s+/g, " ").trim().toLowerCase());
  }
  return map;
}

/** `{ id, level }` for a Word list paragraph, or null for anything else. */
export function wordListInfo(node) {
  if (!node || node.nodeType !== 1 || node.localName !== "p") return null;
  const value = parseStyle(node).get("mso-list");
  const level = value && /level(\d+)/.exec(value);
  if (!level) return null;
  const list = /(?:^|\s)l(\d+)/.exec(value);
  const override = /lfo(\d+)/.exec(value);
  return { id: `${list ? list[1] : ""}/${override ? override[1] : ""}`, level: Number(level[1]) };
}

function findMarker(p) {
  for (const span of p.querySelectorAll("span")) {
    if (parseStyle(span).get("mso-list") === "ignore") return span;
  }
  return null;
}

// A number, a letter or a roman numeral, with its punctuation: an ordered
// list. A lone letter with no punctuation is a symbol-font bullet (`o` is
// Courier New's circle, `§` Wingdings' square).
const ORDERED = /^\(?(?:\d+(?:[.)]\d+)*[.)]?|[a-z][.)]|[ivxlcdm]+[.)])\)?$/i;
const ROMAN = { i: 1, v: 5, x: 10, l: 50, c: 100, d: 500, m: 1000 };

function markerNumber(marker) {
  const digits = marker.match(/\d+/g);
  if (digits) return Number(digits[digits.length - 1]);
  const word = marker.replace(/[^a-z]/gi, "").toLowerCase();
  if (/^[ivxlcdm]+$/.test(word) && (word.length > 1 || "ivx".includes(word))) {
    let total = 0;
    for (let i = 0; i < word.length; i++) {
      const value = ROMAN[word[i]];
      total += value < (ROMAN[word[i + 1]] || 0) ? -value : value;
    }
    return total;
  }
  return word.length === 1 ? word.charCodeAt(0) - 96 : 1;
}

/**
 * Reads a Word list paragraph: its level, list, kind and number. Removes
 * the marker from the paragraph (it becomes the list's own marker).
 */
export function wordListItem(p) {
  const info = wordListInfo(p);
  const span = findMarker(p);
  const marker = span ? span.textContent.replace(/[\s\u00a0]+/g, "") : "";
  if (span) span.remove();
  const ordered = ORDERED.test(marker);
  return { ...info, element: p, ordered, start: ordered ? markerNumber(marker) : 1 };
}

/**
 * Nests a run of list items (`{ level, id, ordered, start, nodes }`) into
 * lists: a deeper level opens a list inside the item before it; a change
 * of kind or of list at the same level starts a new list. `make(tag,
 * children, attrs)` creates the elements. Returns the top-level lists.
 */
export function buildWordLists(items, make) {
  const out = [];
  const stack = []; // { level, id, list, item } from the outermost
  for (const item of items) {
    const tag = item.ordered ? "ol" : "ul";
    while (stack.length > 1 && stack[stack.length - 1].level > item.level) stack.pop();
    // A run that began deeper than this item (copied from the middle of a
    // list): its outermost list is this item's level.
    if (stack.length === 1 && stack[0].level > item.level) stack[0].level = item.level;
    let top = stack[stack.length - 1];
    if (top && top.level === item.level && (top.list.localName !== tag || top.id !== item.id)) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (!top || top.level < item.level) {
      const list = make(tag, [], { start: item.ordered && item.start !== 1 ? String(item.start) : null });
      // A level below the first item (a list pasted from its middle) has
      // no item to hang from: it starts at the top.
      if (top && top.item) top.item.append(list);
      else out.push(list);
      stack.push((top = { level: item.level, id: item.id, list, item: null }));
    }
    top.item = make("li", item.nodes);
    top.list.append(top.item);
  }
  return out;
}
