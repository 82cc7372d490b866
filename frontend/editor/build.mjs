// Builds dist/vellum-editor.js (one minified ES module, es2020) and
// dist/vellum-editor.css (ProseMirror's and prosemirror-tables' styles with
// the editor's own), then prints their sizes.

import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [join(here, "src/index.js")],
  outfile: join(dist, "vellum-editor.js"),
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
});

const css = [
  "node_modules/prosemirror-view/style/prosemirror.css",
  "node_modules/prosemirror-gapcursor/style/gapcursor.css",
  "node_modules/prosemirror-tables/style/tables.css",
  "src/editor.css",
]
  .map((file) => `/* ${file.replace("node_modules/", "")} */\n` + readFileSync(join(here, file), "utf8"))
  .join("\n");
const minified = await build({
  stdin: { contents: css, loader: "css", resolveDir: here },
  write: false,
  minify: true,
  logLevel: "warning",
});
writeFileSync(join(dist, "vellum-editor.css"), minified.outputFiles[0].text);

for (const name of ["vellum-editor.js", "vellum-editor.css"]) {
  const data = readFileSync(join(dist, name));
  const gzip = gzipSync(data, { level: 9 }).length;
  const brotli = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`${name}: ${data.length} B raw, ${gzip} B gzip -9, ${brotli} B brotli -q 11`);
}
