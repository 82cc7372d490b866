// The bundle's entry: `window.VellumEditor = { mount, toMarkdown,
// pasteToMarkdown, version }`
// for the admin page (no framework), and the same as ES module exports.

import { mount } from "./editor.js";
import { toMarkdown } from "./markdown.js";
import { pasteToMarkdown } from "./paste.js";

export const version = "0.1.0";

const VellumEditor = Object.freeze({ mount, toMarkdown, pasteToMarkdown, version });

if (typeof window !== "undefined") window.VellumEditor = VellumEditor;

export { mount, toMarkdown, pasteToMarkdown };
export default VellumEditor;
