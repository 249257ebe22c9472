import { parse } from 'yaml';
import { renderKubeconfig } from './kubeconfig.js';

describe('renderKubeconfig', () => {
  const a = { name: 'member-1', server: 'https://127.0.0.1:6443', caData: 'Q0E=', token: 'tok-a' };
  const b = { name: 'member-2', server: 'https://127.0.0.1:6444', caData: 'Q0I=', token: 'tok-b' };

  it('names the cluster, user and context after the cluster and verifies TLS with its CA', () => {
    const config = parse(renderKubeconfig([a]));
    expect(config['current-context']).toBe('member-1');
    expect(config.clusters).toEqual([
      { name: 'member-1', cluster: { server: a.server, 'certificate-authority-data': 'Q0E=' } },
    ]);
    expect(config.users).toEqual([{ name: 'member-1', user: { token: 'tok-a' } }]);
    expect(config.contexts).toEqual([{ name: 'member-1', context: { cluster: 'member-1', user: 'member-1' } }]);
    expect(JSON.stringify(config)).not.toContain('insecure');
  });

  it('merges several clusters with the first as current context unless told otherwise', () => {
    expect(parse(renderKubeconfig([a, b]))['current-context']).toBe('member-1');
    const config = parse(renderKubeconfig([a, b], 'member-2'));
    expect(config['current-context']).toBe('member-2');
    expect(config.contexts.map((c: { name: string }) => c.name)).toEqual(['member-1', 'member-2']);
  });

  it('refuses an empty list', () => {
    expect(() => renderKubeconfig([])).toThrow(RangeError);
  });
});
