// The visual editor a host page mounts: ProseMirror over the Markdown of a
// post. See ENGINE.md for the API.

import { EditorState, Plugin, PluginKey } from "prosemirror-state";
import { DOMSerializer } from "prosemirror-model";
import { EditorView, Decoration, DecorationSet } from "prosemirror-view";
import { history } from "prosemirror-history";
import { keymap } from "prosemirror-keymap";
import { dropCursor } from "prosemirror-dropcursor";
import { gapCursor } from "prosemirror-gapcursor";
import { tableEditing } from "prosemirror-tables";
import { schema } from "./schema.js";
import { parseMarkdown } from "./parse.js";
import { serializeMarkdown } from "./serialize.js";
import {
  buildCommands,
  buildKeymap,
  markdownInputRules,
  activeFormats,
  setLink,
  baseKeymap,
} from "./commands.js";
import { createToolbar } from "./toolbar.js";
import { cleanPastedHtml } from "./paste.js";

const uploadKey = new PluginKey("vellum-uploads");

// Widgets marking where images being uploaded will go. The positions are
// kept apart from the widgets and mapped forward (assoc 1), which never
// drops them: a widget alone would vanish when the text right after it is
// deleted, and its image with it.
let nextPlaceholder = 0;

function uploadPlaceholders() {
  return new Plugin({
    key: uploadKey,
    state: {
      init: () => [],
      apply(tr, points) {
        let next = points.map((point) => ({ ...point, pos: tr.mapping.map(point.pos, 1) }));
        const action = tr.getMeta(uploadKey);
        if (action && action.add) next = next.concat(action.add);
        if (action && action.remove) next = next.filter((point) => !action.remove.includes(point.id));
        return next;
      },
    },
    props: {
      decorations(state) {
        const points = this.getState(state);
        if (!points.length) return null;
        return DecorationSet.create(
          state.doc,
          points.map(({ id, pos, name, key }) =>
            Decoration.widget(
              pos,
              () => {
                const widget = document.createElement("span");
                widget.className = "vm-uploading";
                widget.setAttribute("role", "status");
                widget.textContent = `Uploading ${name}…`;
                return widget;
              },
              { id, key, side: 1 },
            ),
          ),
        );
      },
    },
  });
}

function placeholderPos(state, id) {
  const found = uploadKey.getState(state).find((point) => point.id === id);
  return found ? found.pos : null;
}

// A hint in the empty document.
function emptyHint(text) {
  return new Plugin({
    props: {
      decorations(state) {
        const doc = state.doc;
        if (!text || doc.childCount !== 1 || !doc.firstChild.isTextblock || doc.firstChild.content.size) return null;
        return DecorationSet.create(doc, [
          Decoration.node(0, doc.firstChild.nodeSize, { class: "vm-empty", "data-placeholder": text }),
        ]);
      },
    },
  });
}

// Where an image goes: between blocks, never inside a paragraph. A
// paragraph is split when the point is inside its text; tables and code
// blocks are left whole (the image goes after them); an empty paragraph
// keeps its place after the images. The placeholders still waiting at the
// same point (widgets with side 1) move past each figure inserted there,
// so a batch lands in the order it was dropped.
function blockPoint(tr, pos, { split = true } = {}) {
  const $pos = tr.doc.resolve(pos);
  if (!$pos.parent.isTextblock || $pos.depth === 0) return pos;
  for (let depth = 1; depth <= $pos.depth; depth++) {
    const node = $pos.node(depth);
    if (node.type.name === "table" || node.type.spec.code || node.type === schema.nodes.figure) return $pos.after(depth);
  }
  const parent = $pos.parent;
  if ($pos.parentOffset === 0) return $pos.before();
  if ($pos.parentOffset === parent.content.size) return $pos.after();
  if (!split) return pos;
  tr.split(pos);
  return pos + 1;
}

// Vellum's own clipboard: every copied block carries `data-vellum`, so a
// paste can tell a copy from this editor (read back as it is) from one out
// of another ProseMirror editor (cleaned like any other HTML).
function markedClipboardSerializer() {
  const base = DOMSerializer.fromSchema(schema);
  const nodes = {};
  for (const [name, toDOM] of Object.entries(base.nodes)) {
    nodes[name] = (node) => {
      const spec = toDOM(node);
      if (!Array.isArray(spec)) return spec;
      const attrs = spec[1];
      if (attrs && typeof attrs === "object" && !Array.isArray(attrs) && attrs.nodeType === undefined) {
        return [spec[0], { ...attrs, "data-vellum": "" }, ...spec.slice(2)];
      }
      return [spec[0], { "data-vellum": "" }, ...spec.slice(1)];
    };
  }
  return new DOMSerializer(nodes, base.marks);
}

function imageFiles(list) {
  return Array.from(list || []).filter((f) => f && /^image\//.test(f.type));
}

// What ProseMirror itself does with a pasted slice (prosemirror-view's
// doPaste), for when the paste must be followed by uploads.
function insertPasted(view, slice) {
  const single = slice.openStart === 0 && slice.openEnd === 0 && slice.content.childCount === 1 ? slice.content.firstChild : null;
  const tr = single ? view.state.tr.replaceSelectionWith(single) : view.state.tr.replaceSelection(slice);
  view.dispatch(tr.scrollIntoView().setMeta("paste", true).setMeta("uiEvent", "paste"));
}

/**
 * Mounts the visual editor in `element`.
 * Options: markdown, onChange(markdown), onUploadRequest(files),
 * onLinkRequest(current), onPasteSkipped(count), label, lang, placeholder,
 * toolbar, editable, changeDelay. Returns the editor's handle (see ENGINE.md).
 */
export function mount(element, options = {}) {
  if (!element || typeof element.appendChild !== "function") throw new TypeError("mount needs an element");
  const opts = {
    label: "Post body",
    toolbar: true,
    editable: true,
    changeDelay: 150,
    ...options,
  };

  let original = "";
  let sources = new WeakMap();
  let pristine = null;
  let trailingNewline = true;
  let editable = !!opts.editable;
  let timer = null;
  let destroyed = false;
  // What transformPastedHTML made of the HTML being pasted (or dropped),
  // for handlePaste to finish with: its images and its count of skipped ones.
  let cleaned = null;

  const root = document.createElement("div");
  root.className = "vellum-editor";
  const surface = document.createElement("div");
  surface.className = "vellum-editor-surface";

  const env = {
    requestLink(current, view) {
      // A cancelled dialog (undefined) changes nothing but gives the
      // focus back to the text.
      const apply = (attrs) => {
        if (destroyed) return;
        if (attrs !== undefined) setLink(attrs)(view.state, view.dispatch);
        view.focus();
      };
      if (typeof opts.onLinkRequest === "function") {
        Promise.resolve(opts.onLinkRequest(current)).then(apply, () => {});
      } else if (typeof window !== "undefined" && typeof window.prompt === "function") {
        const href = window.prompt("Link address (leave empty to remove the link)", current ? current.href : "https://");
        if (href !== null) apply({ href, title: current ? current.title : null });
      }
    },
    requestImage() {
      pickFiles();
    },
  };
  const commands = buildCommands(env);

  const plugins = [
    markdownInputRules(),
    keymap(buildKeymap(commands)),
    keymap(baseKeymap),
    history(),
    dropCursor(),
    gapCursor(),
    tableEditing(),
    uploadPlaceholders(),
    emptyHint(opts.placeholder),
  ];

  function load(markdown) {
    original = String(markdown ?? "");
    sources = new WeakMap();
    trailingNewline = original === "" || /\n[ \t]*$/.test(original);
    const doc = parseMarkdown(original, { sources });
    pristine = doc;
    return EditorState.create({ doc, plugins });
  }

  function getMarkdown() {
    const doc = view.state.doc;
    if (doc === pristine || doc.eq(pristine)) return original;
    return serializeMarkdown(doc, { sources, trailingNewline });
  }

  function flush() {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    if (typeof opts.onChange === "function") opts.onChange(getMarkdown());
  }

  let toolbar = null;

  const view = new EditorView(surface, {
    state: load(opts.markdown),
    editable: () => editable,
    attributes: {
      class: "vellum-editor-content",
      role: "textbox",
      "aria-multiline": "true",
      "aria-label": opts.label,
      spellcheck: "true",
      ...(opts.lang ? { lang: opts.lang } : {}),
    },
    dispatchTransaction(tr) {
      const state = view.state.apply(tr);
      view.updateState(state);
      if (toolbar) toolbar.update(state);
      if (tr.docChanged && typeof opts.onChange === "function") {
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(flush, opts.changeDelay);
      }
    },
    handleDOMEvents: {
      blur() {
        flush();
        return false;
      },
    },
    // Pasted HTML from office programs and web pages keeps its structure
    // and loses its presentation (see paste.js).
    clipboardSerializer: markedClipboardSerializer(),
    transformPastedHTML(html) {
      cleaned = cleanPastedHtml(html);
      return cleaned.html;
    },
    handleDrop(view, event, _slice, moved) {
      // Images inside dropped HTML are not uploaded: nothing says where
      // the slice will land.
      cleaned = null;
      if (moved) return false;
      const files = imageFiles(event.dataTransfer && event.dataTransfer.files);
      if (!files.length || typeof opts.onUploadRequest !== "function") return false;
      event.preventDefault();
      const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
      upload(files, at ? at.pos : null);
      return true;
    },
    handlePaste(view, event, slice) {
      // `found` is unset when the paste took the plain text (into code, or
      // a paste without formatting).
      const found = cleaned;
      cleaned = null;
      const data = event.clipboardData;
      const html = data ? data.getData("text/html") : "";
      const canUpload = typeof opts.onUploadRequest === "function";
      // Word and LibreOffice put a picture of the copied text next to its
      // HTML: files count only when the HTML has nothing of its own.
      const files = imageFiles(data && data.files);
      const info = found || (files.length && html ? cleanPastedHtml(html) : null);
      if (files.length && !(info && (info.hasText || info.images.length))) {
        if (!canUpload) return false;
        event.preventDefault();
        upload(files, null);
        return true;
      }
      if (!found) return false;
      if (found.skipped && typeof opts.onPasteSkipped === "function") opts.onPasteSkipped(found.skipped);
      if (!found.images.length || !canUpload) return false;
      // The slice first, then its images where it ended.
      event.preventDefault();
      if (slice.content.size) insertPasted(view, slice);
      upload(found.images, null);
      return true;
    },
  });

  // Asks the host to upload `files` (with its alt-text prompt), showing
  // where each image will go, and inserts each as it arrives.
  function upload(files, pos) {
    let tr = view.state.tr;
    if (pos === null) {
      if (!tr.selection.empty) tr.deleteSelection();
      pos = tr.selection.from;
    }
    // At the edge of a paragraph (or in a table), the images wait between
    // blocks at once; inside its text, the paragraph is split only when
    // the first image arrives.
    pos = blockPoint(tr, pos, { split: false });
    const ids = files.map(() => ({}));
    tr.setMeta(uploadKey, {
      add: ids.map((id, i) => ({ id, pos, name: files[i].name || "image", key: `vm-upload-${nextPlaceholder++}` })),
    });
    view.dispatch(tr);
    const settle = (id, image) => {
      if (destroyed) return;
      const at = placeholderPos(view.state, id);
      if (at === null) return;
      const tr = view.state.tr.setMeta(uploadKey, { remove: [id] });
      if (image && image.src) {
        const caption = image.caption ?? image.title ?? "";
        const figure = schema.nodes.figure.create(
          { src: String(image.src), alt: String(image.alt ?? "") },
          caption ? schema.text(String(caption)) : null,
        );
        // Split here, not when the files were dropped: a cancelled or
        // failed upload leaves the paragraph whole.
        const point = blockPoint(tr, at);
        tr.replaceRangeWith(point, point, figure);
      }
      view.dispatch(tr);
    };
    let result;
    try {
      result = opts.onUploadRequest(files);
    } catch {
      result = null;
    }
    // Each image is placed once those before it are: one that is ready
    // early waits, so the batch keeps the order it was dropped in.
    const inOrder = (list) =>
      ids.reduce(
        (previous, id, i) =>
          Promise.all([previous, Promise.resolve(list[i]).catch(() => null)]).then(([, img]) => settle(id, img)),
        Promise.resolve(),
      );
    if (Array.isArray(result)) {
      inOrder(result);
      return;
    }
    Promise.resolve(result).then(
      (value) => inOrder(Array.isArray(value) ? value : [value]),
      () => ids.forEach((id) => settle(id, null)),
    );
  }

  let picker = null;
  function pickFiles() {
    if (typeof opts.onUploadRequest !== "function") return;
    if (!picker) {
      picker = document.createElement("input");
      picker.type = "file";
      picker.accept = "image/*";
      picker.multiple = true;
      picker.hidden = true;
      picker.addEventListener("change", () => {
        const files = imageFiles(picker.files);
        picker.value = "";
        if (files.length) upload(files, null);
      });
      root.appendChild(picker);
    }
    picker.click();
  }

  const api = {
    /** The Markdown of the document now (the original text if unchanged). */
    getMarkdown() {
      return getMarkdown();
    },
    /** Replaces the document; clears undo history; fires no onChange. */
    setMarkdown(markdown) {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      view.updateState(load(markdown));
      if (toolbar) toolbar.update(view.state);
    },
    focus() {
      view.focus();
    },
    /** Runs a command by name (see ENGINE.md); returns whether it ran. */
    exec(name, arg) {
      const command = commands[name];
      if (!command || !editable) return false;
      const ran = command(view.state, view.dispatch, view, arg);
      if (ran && name !== "link" && name !== "image") view.focus();
      return ran;
    },
    /** Whether the command could run now. */
    can(name, arg) {
      const command = commands[name];
      return !!command && editable && command(view.state, undefined, view, arg);
    },
    /** The formats at the selection (for a host's own toolbar). */
    active() {
      return activeFormats(view.state);
    },
    setEditable(value) {
      editable = !!value;
      view.setProps({});
      if (toolbar) toolbar.update(view.state);
    },
    destroy() {
      if (destroyed) return;
      flush();
      destroyed = true;
      view.destroy();
      root.remove();
    },
    /** The ProseMirror view, for tests and advanced hosts. */
    view,
  };

  if (opts.toolbar) {
    toolbar = createToolbar(api, () => editable);
    root.appendChild(toolbar.element);
    toolbar.update(view.state);
  }
  root.appendChild(surface);
  element.appendChild(root);
  return api;
}
