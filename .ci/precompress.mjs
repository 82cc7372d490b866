// Writes a brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside
// every .js, .css and .wasm file in a folder, for `make release`. The
// server's /pkg route sends them to browsers that accept them: the wasm
// bundle is otherwise sent uncompressed (compressing megabytes per request
// would cost more than it saves), and the highest levels are too slow to
// run per request for the scripts and the style sheet.
//
//   node .ci/precompress.mjs target/site/pkg
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node .ci/precompress.mjs FOLDER');
  process.exit(2);
}
for (const name of readdirSync(dir).sort()) {
  if (!/\.(js|css|wasm)$/.test(name)) continue;
  const file = path.join(dir, name);
  const data = readFileSync(file);
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const gz = gzipSync(data, { level: 9 });
  writeFileSync(`${file}.br`, br);
  writeFileSync(`${file}.gz`, gz);
  console.log(`${name}: ${data.length} B, brotli ${br.length} B, gzip ${gz.length} B`);
}
