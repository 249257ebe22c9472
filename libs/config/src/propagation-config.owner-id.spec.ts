import { ConfigError, loadConfig } from './index.js';

describe('UBERNETES_OWNER_ID', () => {
  it('defaults to the federation name', () => {
    expect(loadConfig({}).propagation.ownerId).toBe('ubernetes');
    expect(loadConfig({ FEDERATION_NAME: 'demo' }).propagation.ownerId).toBe('demo');
    expect(loadConfig({ FEDERATION_NAME: 'demo', UBERNETES_OWNER_ID: 'demo-eu-2' }).propagation.ownerId).toBe('demo-eu-2');
  });

  it.each(['Demo', 'a_b', 'x'.repeat(64), 'fed.example'])('refuses %j, naming the variable and the rule', (value) => {
    expect(() => loadConfig({ UBERNETES_OWNER_ID: value })).toThrow(ConfigError);
    expect(() => loadConfig({ UBERNETES_OWNER_ID: value })).toThrow(/UBERNETES_OWNER_ID must match \[a-z0-9-\]\{1,63\}/);
  });
});
