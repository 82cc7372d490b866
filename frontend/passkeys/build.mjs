// Builds dist/vellum-passkeys.js (one minified ES module, es2020) and
// prints its size.

import { build } from "esbuild";
import { readFileSync, mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [join(here, "src/index.js")],
  outfile: join(dist, "vellum-passkeys.js"),
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
});

const data = readFileSync(join(dist, "vellum-passkeys.js"));
console.log(`vellum-passkeys.js: ${data.length} B raw, ${gzipSync(data, { level: 9 }).length} B gzip -9`);
