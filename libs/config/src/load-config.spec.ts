import { ConfigError, loadConfig, Role } from './index.js';

describe('loadConfig', () => {
  it('gives working defaults for a single machine', () => {
    const config = loadConfig({});
    expect([...config.roles]).toEqual([Role.Api, Role.Worker, Role.Dns]);
    expect(config.http.port).toBe(8080);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('names every bad variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({ HTTP_PORT: 'eighty', REDIS_URL: 'http://x', UBERNETES_ROLES: 'api,cook' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('HTTP_PORT');
    expect(message).toContain('"eighty"');
    expect(message).toContain('REDIS_URL');
    expect(message).toContain('UBERNETES_ROLES');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('never echoes a database password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2@db/x' })).toThrow(/u:\*\*\*@db/);
  });

  it('selects roles', () => {
    expect([...loadConfig({ UBERNETES_ROLES: 'worker' }).roles]).toEqual([Role.Worker]);
  });
});
