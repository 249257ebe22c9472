import type { TestServer } from '../support/server.js';

/** A JSON request as a user would send it; returns status, headers and the parsed body. */
export async function call(
  server: { url: string },
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = options.auth;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(server.url + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Creates a token with the admin bootstrap token and returns its `Bearer` header value. */
export async function createToken(server: TestServer, name: string, role: string, expiresIn?: string): Promise<string> {
  const res = await call(server, 'POST', '/api/v1/tokens', { auth: server.auth, body: { name, role, ...(expiresIn ? { expiresIn } : {}) } });
  if (res.status !== 201) throw new Error(`token create ${name}: ${res.status} ${res.text}`);
  return `Bearer ${res.body.token}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
