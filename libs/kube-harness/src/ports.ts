import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/** Lowest port of the harness's range; ports are taken below the kernel's ephemeral range. */
const LOWEST_PORT = 20000;

/**
 * The port range to pick listening ports from: [20000, start of the ephemeral range). Ports outside
 * the ephemeral range are never taken by outgoing connections, so an API server restarted on its old
 * port does not find it occupied by a client socket. `ephemeralRange` is the content of
 * /proc/sys/net/ipv4/ip_local_port_range; undefined means "let the kernel choose".
 */
export function listeningPortRange(ephemeralRange: string | undefined): { from: number; to: number } | undefined {
  const low = Number(ephemeralRange?.trim().split(/\s+/)[0]);
  if (!Number.isInteger(low) || low - LOWEST_PORT < 1000) return undefined;
  return { from: LOWEST_PORT, to: low };
}

function readEphemeralRange(): string | undefined {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return undefined;
  }
}

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

/**
 * `count` distinct free loopback ports. Each is held open until all are found, so one call never
 * returns the same port twice; another process may still grab one before it is used (callers retry).
 */
export async function allocatePorts(count: number): Promise<number[]> {
  const range = listeningPortRange(readEphemeralRange());
  const held: Server[] = [];
  try {
    for (let tries = 0; held.length < count; tries++) {
      if (tries > count * 50) throw new Error(`could not find ${count} free loopback ports`);
      const candidate = range ? range.from + Math.floor(Math.random() * (range.to - range.from)) : 0;
      const server = await listen(candidate);
      if (server) held.push(server);
    }
    return held.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
