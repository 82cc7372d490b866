// The optional built-in toolbar: plain buttons in an ARIA toolbar (one tab
// stop, arrow keys move between buttons), pressed states from the
// selection. No inline styles: everything is in vellum-editor.css.

import { activeFormats } from "./commands.js";

const isMac = typeof navigator !== "undefined" && /Mac|iP(hone|ad|od)/.test(navigator.platform || "");
const mod = isMac ? "⌘" : "Ctrl+";
const alt = isMac ? "⌥" : "Alt+";

// [command, visible text, accessible name (holding the visible text, as
// WCAG 2.5.3 asks), shortcut, pressed-state key]
const MAIN = [
  ["bold", "B", "Bold", `${mod}B`, "bold"],
  ["italic", "I", "Italic", `${mod}I`, "italic"],
  ["strikethrough", "S", "Strikethrough", `${mod}Shift+X`, "strikethrough"],
  ["link", "Link", "Link", `${mod}K`, "link"],
  ["heading2", "H2", "H2 heading", `${mod}${alt}2`, (a) => a.heading === 2],
  ["heading3", "H3", "H3 subheading", `${mod}${alt}3`, (a) => a.heading === 3],
  ["bulletList", "Bulleted", "Bulleted list", `${mod}Shift+8`, "bulletList"],
  ["orderedList", "Numbered", "Numbered list", `${mod}Shift+7`, "orderedList"],
  ["blockquote", "Quote", "Quote", `${mod}Shift+9`, "blockquote"],
  ["image", "Image", "Insert image", "", null],
  ["table", "Table", "Insert table", "", null],
  ["footnote", "Footnote", "Insert footnote", `${mod}${alt}F`, null],
  ["horizontalRule", "Rule", "Horizontal rule", "---", null],
  ["undo", "Undo", "Undo", `${mod}Z`, null],
  ["redo", "Redo", "Redo", `${mod}Shift+Z`, null],
];

const TABLE = [
  ["addRowAfter", "Add row", "Add row below"],
  ["deleteRow", "Delete row", "Delete row"],
  ["addColumnAfter", "Add column", "Add column to the right"],
  ["deleteColumn", "Delete column", "Delete column"],
  ["alignLeft", "Left", "Align column left"],
  ["alignCenter", "Center", "Center column"],
  ["alignRight", "Right", "Align column right"],
  ["deleteTable", "Delete table", "Delete table"],
];

export function createToolbar(editor, isEditable) {
  const element = document.createElement("div");
  element.className = "vellum-editor-toolbar";
  element.setAttribute("role", "toolbar");
  element.setAttribute("aria-label", "Formatting");

  const buttons = [];
  const make = (group, [name, text, label, shortcut, pressed]) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `vm-button vm-${name}`;
    button.textContent = text;
    button.setAttribute("aria-label", label);
    button.title = shortcut ? `${label} (${shortcut})` : label;
    button.tabIndex = -1;
    // Keep the editor's selection while clicking.
    button.addEventListener("mousedown", (e) => e.preventDefault());
    button.addEventListener("click", () => {
      if (button.getAttribute("aria-disabled") !== "true") editor.exec(name);
    });
    group.appendChild(button);
    buttons.push({ button, name, pressed });
  };

  const main = document.createElement("div");
  main.className = "vm-group";
  MAIN.forEach((spec) => make(main, spec));
  const table = document.createElement("div");
  table.className = "vm-group vm-table-group";
  table.setAttribute("role", "group");
  table.setAttribute("aria-label", "Table");
  TABLE.forEach((spec) => make(table, spec));
  element.append(main, table);

  // One tab stop; arrows, Home and End move along the toolbar.
  let current = 0;
  const focusable = () => buttons.filter((b) => !b.button.hidden && !b.button.closest("[hidden]"));
  const rove = (to) => {
    const list = focusable();
    if (!list.length) return;
    const index = (to + list.length) % list.length;
    list.forEach((b, i) => (b.button.tabIndex = i === index ? 0 : -1));
    list[index].button.focus();
    current = index;
  };
  element.addEventListener("keydown", (e) => {
    const list = focusable();
    const at = list.findIndex((b) => b.button === document.activeElement);
    if (at < 0) return;
    if (e.key === "ArrowRight") rove(at + 1);
    else if (e.key === "ArrowLeft") rove(at - 1);
    else if (e.key === "Home") rove(0);
    else if (e.key === "End") rove(list.length - 1);
    else return;
    e.preventDefault();
  });

  function update(state) {
    const active = activeFormats(state);
    const editable = isEditable();
    table.hidden = !active.table;
    for (const { button, name, pressed } of buttons) {
      // aria-disabled, not disabled: the button stays reachable by keyboard.
      button.setAttribute("aria-disabled", !editable || !editor.can(name) ? "true" : "false");
      if (pressed) {
        const on = typeof pressed === "function" ? pressed(active) : !!active[pressed];
        button.setAttribute("aria-pressed", on ? "true" : "false");
      }
    }
    const list = focusable();
    if (!list.some((b) => b.button.tabIndex === 0) && list.length) {
      list[Math.min(current, list.length - 1)].button.tabIndex = 0;
    }
  }

  return { element, update };
}
