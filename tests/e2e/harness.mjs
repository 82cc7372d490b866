// Starts the real `vellum` binary with a fresh SQLite database on a free
// port, and a headless Chromium to drive it.
//
// VELLUM_BIN        the server binary (default: the cargo target dir's debug build)
// VELLUM_SITE_ROOT  the site folder with pkg/ that `make build` fills (default: target/site)
// CHROMIUM          the browser (default: /usr/bin/chromium)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(homedir(), '.cache', 'vellum', 'target');

export const PASSWORD = 'correct horse battery staple';

// Starts Vellum on a fresh database; `users` are created first with
// `vellum user add`, as an operator would, all with PASSWORD.
// `env` adds settings, e.g. VELLUM_WEBHOOKS_ALLOW_PRIVATE for a local receiver.
export async function startVellum({ users = [], env: settings = {} } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vellum-e2e-'));
  const bin = process.env.VELLUM_BIN ?? path.join(targetDir, 'debug', 'vellum');
  const env = { ...process.env, ...settings, VELLUM_DATA_DIR: dataDir, NO_COLOR: '1' };
  delete env.VELLUM_DATABASE_URL; // always the fresh SQLite file in dataDir
  for (const user of users) {
    const added = spawnSync(
      bin,
      // The first command of a new site makes its database (--create).
      ['user', 'add', '--email', user.email, '--name', user.name, '--role', user.role, '--create'],
      { env, input: `${PASSWORD}\n`, encoding: 'utf8' },
    );
    if (added.status !== 0) throw new Error(`vellum user add failed: ${added.stderr}`);
  }
  const serve = (address) => spawnServer(bin, env, dataDir, address);
  let server = await serve('127.0.0.1:0');
  const baseUrl = server.baseUrl;
  return {
    baseUrl,
    /** Stops the server (SIGTERM) and starts it again on the same address and database,
     *  optionally with more environment (e.g. VELLUM_CLOCK_OFFSET_SECS to start "later"). */
    async restart(extraEnv = {}) {
      await server.stop();
      server = await spawnServer(bin, { ...env, ...extraEnv }, dataDir, new URL(baseUrl).host);
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function spawnServer(bin, env, dataDir, address) {
  const child = spawn(bin, ['serve'], {
    env: {
      ...env,
      LEPTOS_SITE_ADDR: address,
      LEPTOS_SITE_ROOT: process.env.VELLUM_SITE_ROOT ?? path.join(repoRoot, 'target', 'site'),
      VELLUM_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const baseUrl = await new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`vellum did not start:\n${buffer}`)), 30_000);
    exited.then((code) => reject(new Error(`vellum exited with ${code}:\n${buffer}`)));
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const match = buffer.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  child.stdout.resume();
  return {
    baseUrl,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
