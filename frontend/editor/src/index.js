// The bundle's entry: `window.VellumEditor = { mount, toMarkdown, version }`
// for the admin page (no framework), and the same as ES module exports.

import { mount } from "./editor.js";
import { toMarkdown } from "./markdown.js";

export const version = "0.1.0";

const VellumEditor = Object.freeze({ mount, toMarkdown, version });

if (typeof window !== "undefined") window.VellumEditor = VellumEditor;

export { mount, toMarkdown };
export default VellumEditor;
