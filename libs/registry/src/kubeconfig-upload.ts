import { parse } from 'yaml';
import { DomainError, type FieldProblem } from '#libs/common';
import type { ClusterCredentialsInput } from './cluster.types.js';

/** What an uploaded kubeconfig contributes to a registration. */
export interface UploadedKubeconfig {
  server: string;
  caData?: string;
  insecureSkipTLSVerify: boolean;
  credentials: ClusterCredentialsInput;
}

/** Keys that make a kubeconfig run programs or read files on whoever loads it (refused everywhere). */
const EXECUTING_KEYS: Record<string, string> = {
  exec: 'runs a program (exec credential plugin)',
  'auth-provider': 'runs a program or reads files (auth-provider)',
};
const FILE_KEYS: Record<string, string> = {
  'certificate-authority': 'reads a file on the server (use certificate-authority-data)',
  'client-certificate': 'reads a file on the server (use client-certificate-data)',
  'client-key': 'reads a file on the server (use client-key-data)',
  tokenFile: 'reads a file on the server (use token)',
  'token-file': 'reads a file on the server (use token)',
};

/**
 * Validates and extracts a kubeconfig uploaded to the API (`{ kubeconfig: "<yaml>" }`), pure. Every
 * cluster and user entry of the document is scanned, not just the selected context: `exec`,
 * `auth-provider` and file references (`certificate-authority`, `client-certificate`, `client-key`,
 * `tokenFile`) are refused with their path (GHSA-vvmq-fwmg-2gjc). Only inline data is used.
 */
export function parseUploadedKubeconfig(yaml: string, context?: string, path = 'kubeconfig'): UploadedKubeconfig {
  const fail = (problems: FieldProblem[]): never => {
    throw DomainError.invalid(problems, 'kubeconfig refused');
  };
  let doc: Record<string, unknown>;
  try {
    doc = parse(yaml, { maxAliasCount: 10 }) as Record<string, unknown>;
  } catch (error) {
    return fail([{ path, message: `is not valid YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  if (!doc || typeof doc !== 'object') return fail([{ path, message: 'must be a kubeconfig document' }]);

  const problems: FieldProblem[] = [];
  const list = (key: string) => (Array.isArray(doc[key]) ? (doc[key] as Record<string, unknown>[]) : []);
  list('users').forEach((entry, i) => {
    const user = (entry?.user ?? {}) as Record<string, unknown>;
    for (const [key, why] of Object.entries({ ...EXECUTING_KEYS, ...FILE_KEYS })) {
      if (user[key] !== undefined) problems.push({ path: `${path}.users[${i}].user.${key}`, message: `refused: ${why}` });
    }
    if (user.username !== undefined || user.password !== undefined) {
      problems.push({ path: `${path}.users[${i}].user.username`, message: 'refused: basic authentication is not supported (use a token)' });
    }
  });
  list('clusters').forEach((entry, i) => {
    const cluster = (entry?.cluster ?? {}) as Record<string, unknown>;
    for (const [key, why] of Object.entries(FILE_KEYS)) {
      if (cluster[key] !== undefined) problems.push({ path: `${path}.clusters[${i}].cluster.${key}`, message: `refused: ${why}` });
    }
  });
  if (problems.length) fail(problems);

  const contextName = context ?? (doc['current-context'] as string | undefined);
  const ctx = list('contexts').find((c) => c?.name === contextName)?.context as { cluster?: string; user?: string } | undefined;
  if (!contextName || !ctx) return fail([{ path: context ? 'context' : `${path}.current-context`, message: `context ${contextName ? `"${contextName}" ` : ''}not found` }]);
  const cluster = list('clusters').find((c) => c?.name === ctx.cluster)?.cluster as Record<string, unknown> | undefined;
  const user = list('users').find((u) => u?.name === ctx.user)?.user as Record<string, unknown> | undefined;
  if (!cluster || typeof cluster.server !== 'string') return fail([{ path: `${path}.clusters`, message: `cluster "${ctx.cluster}" of context "${contextName}" not found or has no server` }]);
  if (!user) return fail([{ path: `${path}.users`, message: `user "${ctx.user}" of context "${contextName}" not found` }]);
  const credentials: ClusterCredentialsInput = {
    token: typeof user.token === 'string' ? user.token : undefined,
    clientCertificateData: typeof user['client-certificate-data'] === 'string' ? user['client-certificate-data'] : undefined,
    clientKeyData: typeof user['client-key-data'] === 'string' ? user['client-key-data'] : undefined,
  };
  return {
    server: cluster.server,
    caData: typeof cluster['certificate-authority-data'] === 'string' ? cluster['certificate-authority-data'] : undefined,
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    credentials,
  };
}
