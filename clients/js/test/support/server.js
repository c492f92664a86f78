// Starts a real `synckairos` process (embedded memory engine) for a test and stops it.
// Shared by the SDK tests (test/sdk) and the browser tests (test/browser).
//
//   const server = await startServer({ args: ['--jwt-secret', SECRET] });
//   after(() => server.stop());
//   server.url            // 'http://127.0.0.1:PORT'
//   server.mintToken({ role: 'admin', sub: 'me', sessions: ['*'], ttl: 3600 })
//   await server.restart() // same port, same arguments
//
// The binary comes from env SYNCKAIROS_BIN (default ../../build/debug/src/app/synckairos
// from clients/js). Env SYNCKAIROS_WEB_ROOT, or the webRoot option, passes --web-root.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const clientsJs = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const serverBinary =
  process.env.SYNCKAIROS_BIN || resolve(clientsJs, '../../build/debug/src/app/synckairos');

// Tests hammer one client address: the server's rate limits would turn that into 429s.
// A SIGTERM drain waits for in-flight long polls, even ones whose client has gone away,
// up to the drain timeout (15 s): 1 s keeps stop() and restart() quick. A flag the caller
// gives replaces its default (the server refuses most flags given twice).
const QUIET_DEFAULTS = [
  ['--log-level', 'warn'],
  ['--drain-timeout-ms', '1000'],
  ['--rate-limit-client-max', '0'],
  ['--rate-limit-switch-max', '0'],
  ['--rate-limit-ws-connect-max', '0'],
];

function defaultsNotIn(args) {
  const given = (flag) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
  return QUIET_DEFAULTS.filter(([flag]) => !given(flag)).flat();
}

const START_TIMEOUT_MS = 30_000; // a sanitizer debug build on a busy machine starts slowly
const STOP_TIMEOUT_MS = 20_000;  // SIGTERM drains within 15 s (SPEC §7); then SIGKILL
const LOG_KEEP_BYTES = 64 * 1024;

const running = new Set();
// A test file that crashes must not leave servers behind.
process.on('exit', () => {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/** A free loopback port: listen on 0, read it, close. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolvePort(port));
    });
  });
}

function base64url(input) {
  return Buffer.from(input).toString('base64url');
}

/** HS256 JWT with the claims of SPEC §7 (sub, role, sessions, exp) plus iat. */
export function signToken(secret, { role = 'admin', sub = 'test', sessions = ['*'], ttl = 3600, ...extra } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const list = Array.isArray(sessions) ? sessions : [sessions];
  const payload = base64url(JSON.stringify({ sub, role, sessions: list, iat: now, exp: now + ttl, ...extra }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function optionValue(args, env, flag, envName) {
  const i = args.indexOf(flag);
  if (i >= 0 && i + 1 < args.length) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${flag}=`));
  if (eq) return eq.slice(flag.length + 1);
  return env[envName];
}

async function waitHealthy(url, child, logs) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`synckairos exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${logs()}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`synckairos not healthy within ${START_TIMEOUT_MS} ms:\n${logs()}`);
}

function waitExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((r) => {
    const timer = setTimeout(() => r(false), timeoutMs);
    child.once('exit', () => { clearTimeout(timer); r(true); });
  });
}

/**
 * @param {{ args?: string[], env?: Record<string,string>, webRoot?: string, port?: number,
 *           defaults?: boolean }} [options]
 *   defaults: false drops the quiet defaults (log level warn, rate limits off).
 */
export async function startServer({ args = [], env = {}, webRoot, port, defaults = true } = {}) {
  if (!existsSync(serverBinary)) {
    throw new Error(`synckairos binary not found at ${serverBinary} (set SYNCKAIROS_BIN)`);
  }
  const chosenPort = port ?? (await freePort());
  const root = webRoot ?? process.env.SYNCKAIROS_WEB_ROOT;
  const fullArgs = [
    ...(defaults ? defaultsNotIn(args) : []),
    ...(args.some((a) => a === '--host' || a.startsWith('--host=')) ? [] : ['--host', '127.0.0.1']),
    '--port', String(chosenPort),
    ...(root ? ['--web-root', root] : []),
    ...args,
  ];
  const childEnv = { ...process.env, ...env };
  const secret = optionValue(args, childEnv, '--jwt-secret', 'JWT_SECRET');
  const url = `http://127.0.0.1:${chosenPort}`;

  let log = '';
  const logs = () => log;
  const keep = (chunk) => {
    log += chunk.toString();
    if (log.length > LOG_KEEP_BYTES) log = log.slice(-LOG_KEEP_BYTES);
  };

  const launch = async () => {
    const child = spawn(serverBinary, fullArgs, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    try {
      await waitHealthy(url, child, logs);
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    return child;
  };

  const handle = {
    url,
    port: chosenPort,
    /** @type {import('node:child_process').ChildProcess} */
    proc: await launch(),
    args: fullArgs,
    logs,
    /** SIGTERM (graceful: WebSockets get 1001), SIGKILL if it does not exit in time. */
    async stop(signal = 'SIGTERM') {
      const child = handle.proc;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT'); // a frozen (SIGSTOP) server cannot drain
      child.kill(signal);
      if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitExit(child, STOP_TIMEOUT_MS);
      }
    },
    /** Stop, then start again on the same port with the same arguments. */
    async restart({ signal = 'SIGTERM', downMs = 0 } = {}) {
      await handle.stop(signal);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      handle.proc = await launch();
    },
    /** SIGSTOP / SIGCONT: the process keeps its sockets but answers nothing. */
    freeze() { handle.proc.kill('SIGSTOP'); },
    thaw() { handle.proc.kill('SIGCONT'); },
    /** @param {{role?: string, sub?: string, sessions?: string[]|string, ttl?: number}} [claims] */
    mintToken(claims = {}) {
      if (!secret) throw new Error('mintToken: the server was started without --jwt-secret');
      return signToken(secret, claims);
    },
  };
  return handle;
}
