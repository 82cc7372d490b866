// What the browser tests share: dist/ and this folder served under the
// admin's Content Security Policy, Chromium driven by playwright-core from
// tests/e2e/node_modules (run `npm ci` there first; Chromium at $CHROMIUM or
// /usr/bin/chromium), and a `check(name, body)` that opens a fresh page with
// the editor mounted (host.js), fails on console errors and counts.

import { createServer } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
export const pkg = join(here, "..", "..");

// The admin's policy (app/src/admin/mod.rs), less its nonce.
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' https: data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const TYPES = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html" };

/** Loads playwright-core (and axe-core), or exits 0 saying why it cannot. */
function loadTools() {
  const e2e = join(pkg, "..", "..", "tests", "e2e", "package.json");
  if (!existsSync(e2e)) {
    console.log("skipped: tests/e2e is not there");
    process.exit(0);
  }
  const require = createRequire(e2e);
  try {
    const { chromium } = require("playwright-core");
    return { chromium, axeSource: readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") };
  } catch {
    console.log("skipped: run npm ci in tests/e2e first");
    process.exit(0);
  }
}

export async function startHarness() {
  const { chromium, axeSource } = loadTools();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path === "/" ? join(here, "page.html") : path.startsWith("/dist/") ? join(pkg, path) : join(here, path);
    if (!existsSync(file) || !file.startsWith(pkg)) {
      // Images the test documents point at, and the favicon: nothing there.
      res.writeHead(path.startsWith("/dist/") ? 404 : 204);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[file.slice(file.lastIndexOf("."))] || "application/octet-stream", "content-security-policy": CSP });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium" });
  let passed = 0;
  let failed = 0;

  async function check(name, body) {
    const page = await browser.newPage();
    const problems = [];
    page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
    page.on("pageerror", (e) => problems.push(e.message));
    try {
      await page.goto(base);
      await page.waitForSelector(".ProseMirror");
      await body(page);
      assert.deepEqual(problems, [], "console errors (a CSP violation would show here)");
      passed++;
      console.log(`ok - ${name}`);
    } catch (error) {
      failed++;
      console.log(`not ok - ${name}\n${error.stack}`);
    } finally {
      await page.close();
    }
  }

  async function finish() {
    await browser.close();
    server.close();
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  }

  return { check, finish, axeSource };
}

/** The editor's Markdown now. */
export const markdown = (page) => page.evaluate(() => window.editor.getMarkdown());
