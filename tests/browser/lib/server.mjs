// lib/server.mjs: start `ficd serve` on a free loopback port with a fresh data directory,
// wait until /healthz answers, and stop it with SIGTERM (SIGKILL after 10 s), removing the
// temporary directory. Used by every browser test.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The ficd binary: argv[2] (as ctest passes it), else $FICD, else build/ficd. */
export function ficdPath() {
  const p = process.argv[2] || process.env.FICD || path.join(sourceDir(), 'build', 'ficd');
  if (!fs.existsSync(p)) throw new Error(`ficd binary not found: ${p} (usage: node TEST.mjs path/to/ficd)`);
  return path.resolve(p);
}

/** The source tree: $FICD_SOURCE_DIR (ctest sets it), else two levels above this file. */
export function sourceDir() {
  return process.env.FICD_SOURCE_DIR || path.resolve(new URL('../../..', import.meta.url).pathname);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start a server. opts.demo = N fills the archive with `ficd demo --works N` first (the
 * result has .demoPassword). Returns { base, port, dataDir, tmp, log(), stop() }.
 */
export async function startServer(opts = {}) {
  const ficd = ficdPath();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ficd-browser-'));
  const dataDir = path.join(tmp, 'data');
  let demoPassword = null;
  if (opts.demo) {
    const out = execFileSync(ficd, ['demo', '--works', String(opts.demo), '--data', dataDir], {
      encoding: 'utf8', timeout: 60_000,
    });
    const m = /password: (\S+)/.exec(out);
    if (!m) throw new Error(`ficd demo printed no password: ${out}`);
    demoPassword = m[1];
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logFile = path.join(tmp, 'server.log');
  const logFd = fs.openSync(logFile, 'a');
  const child = spawn(ficd, ['serve', '--listen', `127.0.0.1:${port}`, '--data', dataDir], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, FICD_THREADS: process.env.FICD_THREADS || '2', ...(opts.env || {}) },
  });
  fs.closeSync(logFd);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const log = () => { try { return fs.readFileSync(logFile, 'utf8'); } catch { return ''; } };

  let stopped = false;
  const stop = async () => {
    if (stopped) return exited;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && !exited; i++) await sleep(100);
      if (!exited) { child.kill('SIGKILL'); for (let i = 0; i < 20 && !exited; i++) await sleep(100); }
    }
    if (!process.env.FICD_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    return exited;
  };
  // A crash of the test itself must not leave the server running.
  process.once('exit', () => { if (!exited) child.kill('SIGKILL'); if (!process.env.FICD_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true }); });

  for (let i = 0; i < 100; i++) {
    if (exited) break;
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return { base, port, dataDir, tmp, log, stop, demoPassword, child, exited: () => exited };
    } catch { /* not up yet */ }
    await sleep(100);
  }
  const l = log();
  await stop();
  throw new Error(`ficd serve did not come up on ${base}: ${exited ? JSON.stringify(exited) : 'timeout'}\n${l}`);
}
