// Checks that PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) answer, printing one clear line for each
// that does not. Exit code 1 when either is unreachable.
import net from 'node:net';

function probe(label, variable, raw, fallbackPort) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return Promise.resolve(`${variable} is not a URL`);
  }
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || fallbackPort);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once('connect', () => { socket.destroy(); resolve(null); });
    socket.once('timeout', () => { socket.destroy(); resolve(`${label} at ${host}:${port} (${variable}) did not answer within 3 s`); });
    socket.once('error', (e) => resolve(`${label} at ${host}:${port} (${variable}) is unreachable: ${e.code ?? e.message}`));
  });
}

const problems = (await Promise.all([
  probe('PostgreSQL', 'DATABASE_URL', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 5432),
  probe('Redis', 'REDIS_URL', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 6379),
])).filter(Boolean);
for (const p of problems) process.stderr.write(`[setup] ${p}\n`);
process.exit(problems.length ? 1 : 0);
