// The Markdown texts the round trip must keep: the hard cases in
// test/cases/, and every demo article of the server (server/src/demo/posts/,
// which posts.rs includes with include_str!).

import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const casesDir = join(here, "cases");
export const demoDir = join(here, "..", "..", "..", "server", "src", "demo", "posts");

function mdFiles(dir, prefix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => ({ name: `${prefix}${f}`, file: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
}

export function hardCases() {
  return mdFiles(casesDir, "cases/");
}

export function demoPosts() {
  return mdFiles(demoDir, "demo/");
}
