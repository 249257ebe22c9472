import { spawn } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from './processes.js';

/** Kubernetes version of the binaries the harness builds and caches. */
export const KUBE_VERSION = 'v1.20.2';
/**
 * Revision of how the harness builds them: bumped when the build changes (2: the version is also stamped
 * into the vendored client-go package, which is what `/version` reports), so caches of older builds are
 * not reused.
 */
export const KUBE_BUILD_REVISION = 2;

/**
 * Absolute path of the script that builds kube-apiserver and kube-controller-manager from Debian's
 * `kubernetes` source package and copies Debian's etcd next to them (`build-kube-binaries.sh OUT_DIR`).
 * Shell callers can also run `npm run clusters -- binaries`, which resolves or builds and prints the folder.
 */
export const kubeBuildScriptPath = resolveBuildScript(
  fileURLToPath(new URL('../scripts/build-kube-binaries.sh', import.meta.url)),
);

/** From the compiled `dist/` tree, prefer the source script (the copy in dist/ is rebuilt often). */
function resolveBuildScript(besideModule: string): string {
  const source = besideModule.replace(`${sep}dist${sep}libs${sep}`, `${sep}libs${sep}`);
  return source !== besideModule && existsSync(source) ? source : besideModule;
}

/** Where the member-cluster binaries were found. */
export interface KubeBinaries {
  /** Folder holding the binaries (usable as `KUBEBUILDER_ASSETS`). */
  dir: string;
  apiserver: string;
  etcd: string;
  /** Absent when `KUBEBUILDER_ASSETS` brings no controller manager: Deployments then create no Pods. */
  controllerManager?: string;
  source: 'KUBEBUILDER_ASSETS' | 'cache' | 'built';
}

export interface EnsureKubeBinariesOptions {
  /** Receives one line per build step (prefixed `[kube-build]`) and waiting notices. */
  onProgress?: (line: string) => void;
  /** Environment to read `KUBEBUILDER_ASSETS`, `UBERNETES_CACHE_DIR`, `XDG_CACHE_HOME` from. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The cache folder of built binaries:
 * `${UBERNETES_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/ubernetes}/kube-v1.20.2-build2`.
 */
export function kubeBinariesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.UBERNETES_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ubernetes');
  return join(base, `kube-${KUBE_VERSION}-build${KUBE_BUILD_REVISION}`);
}

/**
 * Finds kube-apiserver, etcd and kube-controller-manager: `KUBEBUILDER_ASSETS` first (etcd falls back to
 * `/usr/bin/etcd`), then the cache folder, else builds them into the cache with
 * {@link kubeBuildScriptPath}, streaming its output to `onProgress`. Concurrent callers in other
 * processes wait for one build (a lock folder next to the cache).
 */
export async function ensureKubeBinaries(options: EnsureKubeBinariesOptions = {}): Promise<KubeBinaries> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => undefined);
  const assets = env.KUBEBUILDER_ASSETS;
  if (assets) {
    const apiserver = join(assets, 'kube-apiserver');
    if (!(await isExecutable(apiserver))) {
      throw new Error(`KUBEBUILDER_ASSETS=${assets} holds no executable kube-apiserver`);
    }
    const etcd = (await isExecutable(join(assets, 'etcd'))) ? join(assets, 'etcd') : '/usr/bin/etcd';
    if (!(await isExecutable(etcd))) {
      throw new Error(`KUBEBUILDER_ASSETS=${assets} holds no etcd and /usr/bin/etcd is missing`);
    }
    const kcm = join(assets, 'kube-controller-manager');
    return {
      dir: assets,
      apiserver,
      etcd,
      controllerManager: (await isExecutable(kcm)) ? kcm : undefined,
      source: 'KUBEBUILDER_ASSETS',
    };
  }

  const dir = kubeBinariesCacheDir(env);
  const cached = await fromCache(dir);
  if (cached) return cached;

  const lock = `${dir}.lock`;
  await acquireBuildLock(lock, progress);
  try {
    const builtMeanwhile = await fromCache(dir);
    if (builtMeanwhile) return builtMeanwhile;
    progress(`[kube-build] building Kubernetes ${KUBE_VERSION} binaries into ${dir} (about 5 minutes, once)`);
    await runBuildScript(dir, progress);
    const built = await fromCache(dir);
    if (!built) throw new Error(`${kubeBuildScriptPath} finished but ${dir} lacks the binaries`);
    return { ...built, source: 'built' };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function fromCache(dir: string): Promise<KubeBinaries | undefined> {
  const apiserver = join(dir, 'kube-apiserver');
  const etcd = join(dir, 'etcd');
  const controllerManager = join(dir, 'kube-controller-manager');
  for (const file of [apiserver, etcd, controllerManager]) {
    if (!(await isExecutable(file))) return undefined;
  }
  return { dir, apiserver, etcd, controllerManager, source: 'cache' };
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A lock folder (atomic mkdir) holding the owner's pid; a lock whose owner died is taken over. */
async function acquireBuildLock(lock: string, progress: (line: string) => void): Promise<void> {
  await mkdir(dirname(lock), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && owner !== process.pid && !isProcessAlive(owner)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      progress(`[kube-build] another process (pid ${owner}) is building the binaries; waiting`);
      announced = true;
    }
    await sleep(2000);
  }
}

function runBuildScript(dir: string, progress: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [kubeBuildScriptPath, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (stream: NodeJS.ReadableStream) =>
      createInterface({ input: stream }).on('line', (line) => {
        progress(line.startsWith('[kube-build]') ? line : `[kube-build] ${line}`);
      });
    forward(child.stdout);
    forward(child.stderr);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${kubeBuildScriptPath} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}
