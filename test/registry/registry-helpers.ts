import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request, waitFor, type ApiResponse } from '../support/http.js';
import type { TestServer } from '../support/server.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FEDCTL = join(ROOT, 'dist', 'apps', 'fedctl', 'src', 'main.js');

/** A PEM-looking CA bundle for registrations that are never contacted successfully. */
export const FAKE_CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n').toString('base64');

export type { ApiResponse } from '../support/http.js';

/** One API call as a user makes it (bearer token of the test admin). */
export function call<T = any>(server: TestServer, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse<T>> {
  return request<T>(server, method, path, { auth: server.auth, body, contentType });
}

export { waitFor };

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (`node dist/apps/fedctl/src/main.js`) against a test server. dist/ is shared with
 * other engineers' `npm run build` (which starts with `rm -rf dist`): a run that found the build half
 * written (module not found) is repeated, up to three times.
 */
export async function fedctl(server: TestServer, args: string[], env: Record<string, string> = {}, timeoutMs = 90_000): Promise<CliResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await runFedctl(server, args, env, timeoutMs);
    if (attempt >= 3 || !/ERR_MODULE_NOT_FOUND|Cannot find module/.test(result.stderr)) return result;
    await sleep(3_000);
  }
}

function runFedctl(server: TestServer, args: string[], env: Record<string, string>, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FEDCTL, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', UBERNETES_SERVER: server.url, UBERNETES_TOKEN: server.auth.replace(/^Bearer /, ''), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fedctl ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Condition `type` of a cluster resource. */
export function condition(cluster: any, type: 'Ready' | 'Offline'): { status: string; reason: string; message: string; lastTransitionTime: string } | undefined {
  return cluster?.status?.conditions?.find((c: { type: string }) => c.type === type);
}
