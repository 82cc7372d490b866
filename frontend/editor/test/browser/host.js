// The host page's side of the smoke test: mounts the editor the way the
// admin will, with stand-ins for the upload and link dialogs.
window.changes = [];
window.editor = window.VellumEditor.mount(document.getElementById("editor"), {
  markdown: "# Title\n\nSome *text* with a [link](/x).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
  onChange: (markdown) => window.changes.push(markdown),
  onUploadRequest: (files) =>
    files.map((file, i) => new Promise((resolve) => setTimeout(() => resolve({ src: `/media/${file.name}`, alt: `Alt ${i}`, caption: `Caption ${i}` }), 20))),
  onLinkRequest: () => Promise.resolve({ href: "https://www.nhs.uk/" }),
  placeholder: "Write your article",
  lang: "en",
});
