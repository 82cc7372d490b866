// The host page's side of the browser tests: mounts the editor the way the
// admin will, with stand-ins for the upload and link dialogs.
window.changes = [];
window.uploads = [];
window.skipped = [];
window.editor = window.VellumEditor.mount(document.getElementById("editor"), {
  markdown: "# Title\n\nSome *text* with a [link](/x).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
  onChange: (markdown) => window.changes.push(markdown),
  onUploadRequest: (files) => {
    window.uploads.push(...files.map((file) => ({ name: file.name, type: file.type, size: file.size, isFile: file instanceof File })));
    // Later files answer first, as a small file after a large one would:
    // the images must still land in the order they were dropped.
    // A file named "cancel…" stands for one the author did not describe.
    return files.map((file, i) => new Promise((resolve) => setTimeout(() => resolve(file.name.startsWith("cancel") ? null : { src: `/media/${file.name}`, alt: `Alt ${i}`, caption: `Caption ${i}` }), 20 + (files.length - i) * 15)));
  },
  onLinkRequest: () => Promise.resolve({ href: "https://www.nhs.uk/" }),
  onPasteSkipped: (count) => window.skipped.push(count),
  placeholder: "Write your article",
  lang: "en",
});
