// Starts, stops and restarts the real mini-discord server binary for the test run.
//
// The server is started once per run by global-setup.ts and stopped by global-teardown.ts.
// Because globalSetup runs in the runner process and tests run in worker processes, the
// pid and data dir of the running server are kept in a small JSON state file under
// os.tmpdir(); `restart()` and `admin()` (called from tests) read it.
//
// The server's stdout/stderr go to log files (not pipes) so that the server survives the
// process that spawned it and its output can be read from any process.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const END2END_DIR = path.resolve(__dirname, '..', '..');
export const REPO_ROOT = path.resolve(END2END_DIR, '..');
export const BIN = process.env.MD_BIN
  ? path.resolve(END2END_DIR, process.env.MD_BIN)
  : path.join(REPO_ROOT, 'target', 'debug', 'mini-discord');
export const PORT = Number(process.env.MD_PORT ?? 3100);
export const HOST = `127.0.0.1:${PORT}`;
export const baseURL = `http://${HOST}`;
export const wsURL = `ws://${HOST}/ws`;

const STATE_FILE = path.join(os.tmpdir(), `mini-discord-e2e-${PORT}.json`);
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

interface ServerState {
  pid: number;
  port: number;
  runDir: string;
  dataDir: string;
  stdoutLog: string;
  stderrLog: string;
}

export interface AdminResult {
  code: number;
  stdout: string;
  stderr: string;
}

function readState(): ServerState {
  if (!fs.existsSync(STATE_FILE)) {
    throw new Error(`mini-discord e2e: no server state file at ${STATE_FILE} (did globalSetup run?)`);
  }
  return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as ServerState;
}

function writeState(state: ServerState): void {
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}

/**
 * The repository's Leptos.toml with the per-address allowances raised: every person a run signs
 * up comes from 127.0.0.1, where a real site would see many addresses. The per-account log-in
 * throttle keeps its default (a test exercises it).
 */
function testConfig(): string {
  const file = path.join(os.tmpdir(), `mini-discord-e2e-${PORT}.toml`);
  const header = '[package.metadata.mini-discord.limits]';
  const base = fs.readFileSync(path.join(REPO_ROOT, 'Leptos.toml'), 'utf8');
  if (!base.includes(header)) throw new Error(`Leptos.toml has no ${header} section`);
  // Tests fill a room with 80 messages as fast as a socket sends them: a burst of 100 (the
  // sustained rate keeps its default, which chat.spec's "slow down" test meets). That test sends
  // 150 messages from the composer, each with a typing frame: the socket's own frame burst is
  // raised to let them all reach the allowance.
  const raised = [
    'signups-per-address-per-hour = 100000',
    'login-failures-per-address = 100000',
    'message-burst = 100',
    'frame-burst = 400',
  ];
  fs.writeFileSync(file, base.replace(header, [header, ...raised].join('\n')));
  return file;
}

function serverEnv(dataDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MINI_DISCORD_CONFIG: testConfig(),
    LEPTOS_SITE_ADDR: HOST,
    MINI_DISCORD_DATA_DIR: dataDir,
    RUST_LOG: process.env.RUST_LOG ?? 'info',
    RUST_BACKTRACE: process.env.RUST_BACKTRACE ?? '1',
  };
}

function tail(file: string, chars = 6000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > chars ? `…${text.slice(-chars)}` : text;
  } catch {
    return '(no output captured)';
  }
}

/** The server's captured stderr (tail), for error messages. */
export function serverStderr(): string {
  try {
    return tail(readState().stderrLog);
  } catch (e) {
    return String(e);
  }
}

/** True while the process exists and is not a zombie. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; 'Z' = exited but not yet reaped.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

function isOurServer(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('mini-discord');
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function portIsOpen(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: PORT });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function healthy(): Promise<boolean> {
  try {
    const res = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/** Spawns the binary with the given data dir and waits (bounded) for GET /healthz == 200. */
async function spawnServer(runDir: string, dataDir: string): Promise<ServerState> {
  if (!fs.existsSync(BIN)) {
    throw new Error(
      `mini-discord e2e: server binary not found at ${BIN}. ` +
        'Build it first (`cargo leptos build` at the repo root) or set MD_BIN.',
    );
  }
  if (await portIsOpen()) {
    throw new Error(
      `mini-discord e2e: something is already listening on ${HOST}. ` +
        'Stop it or choose another port with MD_PORT.',
    );
  }

  const stdoutLog = path.join(runDir, 'server.stdout.log');
  const stderrLog = path.join(runDir, 'server.stderr.log');
  const out = fs.openSync(stdoutLog, 'a');
  const err = fs.openSync(stderrLog, 'a');
  const startOffset = fs.statSync(stderrLog).size;

  const child = spawn(BIN, ['serve'], {
    cwd: REPO_ROOT,
    env: serverEnv(dataDir),
    stdio: ['ignore', out, err],
  });
  fs.closeSync(out);
  fs.closeSync(err);

  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited with code ${code} signal ${signal}`;
  });
  child.once('error', (e) => {
    exited = `failed to start: ${e.message}`;
  });
  child.unref();

  const stderrSinceStart = () => {
    try {
      return fs.readFileSync(stderrLog, 'utf8').slice(startOffset).slice(-6000);
    } catch {
      return '';
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`mini-discord e2e: server ${exited} before it was ready. stderr:\n${stderrSinceStart()}`);
    }
    if (await healthy()) {
      const state: ServerState = { pid: child.pid!, port: PORT, runDir, dataDir, stdoutLog, stderrLog };
      writeState(state);
      return state;
    }
    await sleep(250);
  }
  if (child.pid) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  throw new Error(
    `mini-discord e2e: server not ready at ${baseURL}/healthz after ${READY_TIMEOUT_MS / 1000}s. ` +
      `stderr:\n${stderrSinceStart()}`,
  );
}

/** Stops a server that a previous, crashed run may have left behind on this port. */
async function killStaleServer(): Promise<void> {
  if (!fs.existsSync(STATE_FILE)) return;
  try {
    const stale = readState();
    if (isAlive(stale.pid) && isOurServer(stale.pid)) {
      process.kill(stale.pid, 'SIGTERM');
      if (!(await waitForExit(stale.pid, STOP_TIMEOUT_MS))) process.kill(stale.pid, 'SIGKILL');
    }
    if (!process.env.MD_KEEP_DATA) fs.rmSync(stale.runDir, { recursive: true, force: true });
  } catch {
    /* ignore a broken state file */
  }
  fs.rmSync(STATE_FILE, { force: true });
}

/** Starts the server with a fresh, empty data dir (called once per run from globalSetup). */
export async function startServer(): Promise<void> {
  await killStaleServer();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mini-discord-e2e-'));
  const dataDir = path.join(runDir, 'data');
  fs.mkdirSync(dataDir);
  try {
    await spawnServer(runDir, dataDir);
  } catch (e) {
    if (!process.env.MD_KEEP_DATA) fs.rmSync(runDir, { recursive: true, force: true });
    throw e;
  }
}

/** SIGTERM the running server and wait for it to exit; throws if it does not stop in time. */
async function stopPid(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
    throw new Error(`mini-discord e2e: server (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000}s of SIGTERM`);
  }
}

/** Stops the server and removes its data dir (called from globalTeardown). */
export async function stopServer(): Promise<void> {
  if (!fs.existsSync(STATE_FILE)) return;
  const state = readState();
  try {
    await stopPid(state.pid);
  } finally {
    fs.rmSync(STATE_FILE, { force: true });
    if (process.env.MD_KEEP_DATA) {
      console.log(`mini-discord e2e: kept data and logs in ${state.runDir}`);
    } else {
      fs.rmSync(state.runDir, { recursive: true, force: true });
    }
  }
}

/**
 * Gracefully restarts the running server (SIGTERM, wait for exit, start with the same data dir),
 * running `whileDown` in between.
 */
export async function restart(whileDown: () => Promise<void> = async () => {}): Promise<void> {
  const state = readState();
  await stopPid(state.pid);
  try {
    await whileDown();
  } finally {
    await startAgain(state);
  }
}

async function startAgain(state: ServerState): Promise<void> {
  // The port should be free once the process is gone; give the kernel a moment if not.
  const deadline = Date.now() + 10_000;
  while ((await portIsOpen()) && Date.now() < deadline) await sleep(100);
  await spawnServer(state.runDir, state.dataDir);
}

/** Runs `mini-discord admin ...args` against the same data dir as the running server. */
export function admin(args: string[]): Promise<AdminResult> {
  const { dataDir } = readState();
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['admin', ...args], {
      cwd: REPO_ROOT,
      env: serverEnv(dataDir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mini-discord e2e: \`admin ${args.join(' ')}\` timed out. stderr:\n${stderr}`));
    }, 30_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

/** A second instance beside the run's server, sharing its DATABASE_URL and REDIS_URL. */
export interface SecondInstance {
  baseURL: string;
  stop(): Promise<void>;
}

/**
 * Starts another server process on MD_PORT + 1 with the same environment as the run's server;
 * with PostgreSQL and Redis in that environment, the two serve one set of rooms.
 */
export async function startSecondInstance(): Promise<SecondInstance> {
  const port = PORT + 1;
  const host = `127.0.0.1:${port}`;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mini-discord-e2e-b-'));
  const log = fs.openSync(path.join(runDir, 'server.log'), 'a');
  const child = spawn(BIN, ['serve'], {
    cwd: REPO_ROOT,
    env: { ...serverEnv(path.join(runDir, 'data')), LEPTOS_SITE_ADDR: host },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const stop = async () => {
    if (child.pid && isAlive(child.pid)) await stopPid(child.pid).catch(() => {});
    fs.rmSync(runDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`http://${host}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return { baseURL: `http://${host}`, stop };
    } catch {
      /* not up yet */
    }
    await sleep(250);
  }
  const output = tail(path.join(runDir, 'server.log'));
  await stop();
  throw new Error(`mini-discord e2e: the second instance on ${host} did not come up:\n${output}`);
}
