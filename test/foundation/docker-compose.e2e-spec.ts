import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { envSchema } from '#libs/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: unknown;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

/** No container engine runs here: the compose file is checked by parsing it against the compose model. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, ComposeService>;
    volumes?: Record<string, unknown>;
  };

  it('defines postgres, redis and the server', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'redis', 'ubernetes']);
    for (const service of Object.values(compose.services)) {
      expect(service.image ?? service.build).toBeTruthy();
      expect(service.healthcheck?.test?.length).toBeGreaterThan(0);
    }
  });

  it('configures Redis for BullMQ (noeviction)', () => {
    expect(JSON.stringify(compose.services.redis.command)).toContain('noeviction');
  });

  it('only sets variables the server knows, with values its config accepts', () => {
    const env = compose.services.ubernetes.environment ?? {};
    const known = new Set(Object.keys(envSchema.shape));
    for (const key of Object.keys(env)) expect(known).toContain(key);
    // Values the user supplies through compose interpolation (`${VAR:?message}`) are checked at their start.
    const literal = Object.entries(env).filter(([k, v]) => k in envSchema.shape && !String(v).startsWith('${'));
    const parsed = envSchema.safeParse(Object.fromEntries(literal));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('waits for healthy dependencies and references only declared volumes', () => {
    expect(compose.services.ubernetes.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    for (const service of Object.values(compose.services)) {
      for (const volume of (service as { volumes?: string[] }).volumes ?? []) {
        const source = volume.split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) expect(declared).toContain(source);
      }
    }
    for (const port of compose.services.ubernetes.ports ?? []) expect(port).toMatch(/^\d+:\d+(\/(tcp|udp))?$/);
  });
});
