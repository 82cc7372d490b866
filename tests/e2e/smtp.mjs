// A real SMTP server for the browser tests: aiosmtpd (PyPI) running
// tests/support/smtp_sink.py, which writes every message it receives to a
// file; messages are read with mailparser, as a mail program would.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startSmtpSink() {
  const python = execFileSync(path.join(repoRoot, 'tests', 'smtp-sink-venv.sh'), { encoding: 'utf8' }).trim();
  const folder = mkdtempSync(path.join(tmpdir(), 'vellum-smtp-'));
  const port = await freePort();
  const child = spawn(python, [path.join(repoRoot, 'tests', 'support', 'smtp_sink.py'), folder, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    let buffer = '';
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.includes('listening on')) resolve();
    });
  });
  const messages = async () => {
    const names = readdirSync(folder).filter((name) => name.endsWith('.eml')).sort();
    return Promise.all(
      names.map(async (name) => {
        const raw = readFileSync(path.join(folder, name), 'utf8');
        const [envelope, ...rest] = raw.split('\r\n');
        const parsed = await simpleParser(rest.join('\r\n'));
        return { to: envelope.replace('X-Sink-Rcpt-To: ', ''), parsed };
      }),
    );
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** Waits (up to 20 s) for a message to `to`: the server's worker sends within a second or two. */
    async waitFor(to) {
      for (let i = 0; i < 200; i += 1) {
        const found = (await messages()).find((message) => message.to === to);
        if (found) return found.parsed;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no message to ${to} arrived`);
    },
    async stop() {
      child.stdin.end();
      child.kill('SIGTERM');
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
