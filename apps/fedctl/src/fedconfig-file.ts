import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';
import { DomainError, ErrorCode } from '#libs/common';
import { defaultConfigPath } from './client-config.js';

/** The fedctl config file (kubectl-like): contexts with a server and a token, and the current one. */
export interface FedConfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { server?: string; token?: string } }[];
}

/** The config file path from `--fedconfig`, env FEDCONFIG or `~/.ubernetes/config`. */
export function fedconfigPath(flags: { fedconfig?: string }): string {
  return flags.fedconfig ?? defaultConfigPath();
}

export function readFedConfig(path: string): FedConfigFile {
  if (!existsSync(path)) return {};
  try {
    const parsed = parse(readFileSync(path, 'utf8')) as FedConfigFile | null;
    return parsed ?? {};
  } catch (error) {
    throw new DomainError(ErrorCode.Invalid, `cannot read fedctl config ${path}: ${(error as Error).message}`);
  }
}

/**
 * Writes the config atomically (temporary file + rename) with mode 0600 in a 0700 directory: it holds
 * bearer tokens.
 */
export function writeFedConfig(path: string, file: FedConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, stringify(file), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** `ubt_abcd…` → `REDACTED`: what `fedctl config view` prints instead of a token (unless --raw). */
export const MASKED_TOKEN = 'REDACTED';
