import { request, type ApiResponse, type RequestOptions } from '../support/http.js';
import type { TestServer } from '../support/server.js';

/** A JSON request as a user would send it; returns status, headers and the parsed body. */
export function call(server: { url: string }, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  return request(server, method, path, options);
}

/** Creates a token with the admin bootstrap token and returns its `Bearer` header value. */
export async function createToken(server: TestServer, name: string, role: string, expiresIn?: string): Promise<string> {
  const res = await call(server, 'POST', '/api/v1/tokens', { auth: server.auth, body: { name, role, ...(expiresIn ? { expiresIn } : {}) } });
  if (res.status !== 201) throw new Error(`token create ${name}: ${res.status} ${res.text}`);
  return `Bearer ${res.body.token}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
