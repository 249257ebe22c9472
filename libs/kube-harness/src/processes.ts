import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the kernel says about a process. */
export type ProcessState = 'running' | 'stopped' | 'zombie' | 'gone';

/** True while `pid` exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  const state = processState(pid);
  return state === 'running' || state === 'stopped';
}

/**
 * The state of `pid` from `/proc/<pid>/stat` (`T`/`t` = stopped by a signal, `Z` = zombie); falls back to
 * `kill(pid, 0)` where /proc is missing.
 */
export function processState(pid: number): ProcessState {
  if (!Number.isInteger(pid) || pid <= 0) return 'gone';
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is parenthesised and may hold spaces: the state follows the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return 'zombie';
    if (state === 'T' || state === 't') return 'stopped';
    return 'running';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return fallbackState(pid);
    return 'gone';
  }
}

function fallbackState(pid: number): ProcessState {
  try {
    process.kill(pid, 0);
    return 'running';
  } catch {
    return 'gone';
  }
}

/**
 * True when `pid` still runs `binary` (its argv[0] ends with the binary's file name). Guards against
 * signalling an unrelated process that reused a recorded pid.
 */
export function isProcessRunning(pid: number, binary: string): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    const name = binary.slice(binary.lastIndexOf('/') + 1);
    return argv0 === binary || argv0.endsWith(`/${name}`) || argv0 === name;
  } catch {
    return true;
  }
}

/** Sends `signal` to the process group of a detached child (its pid), falling back to the pid alone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** Resolves true once `pid` is gone (or a zombie), false after `timeoutMs`. Polls every 50 ms. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Stops a process the harness started: SIGCONT first (a SIGSTOPped process ignores SIGTERM until
 * continued), SIGTERM, then SIGKILL after `graceMs`. Resolves once it is gone.
 */
export async function terminateProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!isProcessAlive(pid)) return;
  signalProcess(pid, 'SIGCONT');
  signalProcess(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return;
  signalProcess(pid, 'SIGKILL');
  await waitForExit(pid, 5000);
}

/** Options of {@link spawnDetached}. */
export interface SpawnDetachedOptions {
  /** File receiving stdout and stderr (appended). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called when the child exits while this process still runs. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * Starts `command` in its own process group (`detached: true`) with output to a log file and without
 * holding this process's event loop open. Returns its pid. The caller records the pid (pid files, exit
 * guard) so nothing leaks when this process dies.
 */
export function spawnDetached(command: string, args: string[], options: SpawnDetachedOptions): Promise<number> {
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.off('error', reject);
        child.unref();
        if (options.onExit) child.once('exit', options.onExit);
        resolve(child.pid as number);
      });
    });
  } finally {
    closeSync(fd);
  }
}

const guarded = new Set<number>();
const guardedDirs = new Set<string>();
let exitHookInstalled = false;

function killGuarded(): void {
  for (const pid of guarded) {
    signalProcess(pid, 'SIGCONT');
    signalProcess(pid, 'SIGKILL');
  }
  guarded.clear();
  for (const dir of guardedDirs) rmSync(dir, { recursive: true, force: true });
  guardedDirs.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // `exit` handlers run synchronously: send signals and remove folders, nothing asynchronous.
  process.on('exit', killGuarded);
  // Node exits on these signals without an `exit` event. Clean up, then, if nobody else handles the
  // signal, re-raise it so the default action (terminate) still happens.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const onSignal = () => {
      killGuarded();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * Registers pids to be SIGKILLed (after SIGCONT) when this process exits, e.g. a Jest worker that
 * exits with clusters still up. A process killed by SIGKILL runs no hook: `reapOrphanedClusters`
 * covers that case on the next start.
 */
export function guardProcessesOnExit(pids: number[]): void {
  for (const pid of pids) guarded.add(pid);
  installExitHook();
}

/** Removes pids from the exit guard once they were stopped normally. */
export function unguardProcesses(pids: number[]): void {
  for (const pid of pids) guarded.delete(pid);
}

/** Registers a folder to be removed when this process exits (after its processes were killed). */
export function guardDirOnExit(dir: string): void {
  guardedDirs.add(dir);
  installExitHook();
}

/** Removes a folder from the exit guard. */
export function unguardDir(dir: string): void {
  guardedDirs.delete(dir);
}
