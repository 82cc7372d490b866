#!/usr/bin/env node
// The round trip the visual editor makes, for checks outside JavaScript:
// Markdown → editor document → Markdown, with no DOM.
//
//   node roundtrip.mjs < in.json > out.json   a JSON array of Markdown strings
//                                             in, the same number out
//   node roundtrip.mjs FILE...                the files' texts, as a JSON array
//
// Output: one JSON array of strings, in input order, then a newline.
// Exit status: 0 all went through; 1 some text failed (its slot is null and
// stderr says why); 2 the input was not a JSON array of strings, or a file
// could not be read.

import { readFileSync } from "node:fs";
import { toMarkdown } from "./src/markdown.js";

function fail(message) {
  process.stderr.write(`roundtrip: ${message}\n`);
  process.exitCode = 2;
}

function readStdin() {
  try {
    return readFileSync(0, "utf8");
  } catch (error) {
    if (error.code === "EAGAIN" || error.code === "EOF") return "";
    throw error;
  }
}

function inputs() {
  const files = process.argv.slice(2);
  if (files.includes("--help") || files.includes("-h")) {
    process.stdout.write("usage: node roundtrip.mjs [FILE...]   (no files: a JSON array of strings on stdin)\n");
    return null;
  }
  if (files.length) {
    const texts = [];
    for (const file of files) {
      try {
        texts.push(readFileSync(file, "utf8"));
      } catch (error) {
        fail(`cannot read ${file}: ${error.message}`);
        return null;
      }
    }
    return texts;
  }
  let parsed;
  try {
    parsed = JSON.parse(readStdin());
  } catch (error) {
    fail(`stdin is not JSON: ${error.message}`);
    return null;
  }
  if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== "string")) {
    fail("stdin must be a JSON array of strings");
    return null;
  }
  return parsed;
}

const texts = inputs();
if (texts) {
  let failed = false;
  const out = texts.map((text, index) => {
    try {
      return toMarkdown(text);
    } catch (error) {
      failed = true;
      process.stderr.write(`roundtrip: item ${index}: ${error && error.stack ? error.stack : error}\n`);
      return null;
    }
  });
  if (failed) process.exitCode = 1;
  process.stdout.write(JSON.stringify(out) + "\n");
}
