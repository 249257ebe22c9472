import { REDACTED, redactSecretData } from './secret-redaction.js';

const federatedSecret = () => ({
  apiVersion: 'types.ubernetes.io/v1',
  kind: 'FederatedSecret',
  metadata: { namespace: 'prod', name: 'db' },
  spec: {
    template: { type: 'Opaque', data: { password: 'aHVudGVyMg==', 'tls.crt': 'LS0t' }, stringData: { user: 'root' } },
    placement: { clusters: ['a', 'b'] },
    overrides: [{ clusterName: 'a', clusterOverrides: [{ path: '/data/password', value: 'b3RoZXI=' }] }],
  },
});

describe('redactSecretData (what a viewer sees)', () => {
  it('blanks FederatedSecret data by kind, keeping keys and everything else', () => {
    const out = redactSecretData(federatedSecret());
    expect(out.spec.template).toEqual({ type: 'Opaque', data: { password: REDACTED, 'tls.crt': REDACTED }, stringData: { user: REDACTED } });
    expect(out.spec.overrides).toEqual([REDACTED]);
    expect(out.spec.placement).toEqual({ clusters: ['a', 'b'] });
    expect(out.metadata).toEqual({ namespace: 'prod', name: 'db' });
    expect(JSON.stringify(out)).not.toMatch(/aHVudGVyMg|LS0t|root|b3RoZXI/);
  });

  it('never modifies its input', () => {
    const input = federatedSecret();
    redactSecretData(input, ['spec.template.data']);
    expect(input).toEqual(federatedSecret());
  });

  it('applies @SecretData paths to a body, an array body and list items', () => {
    const obj = { kind: 'Thing', spec: { secretRef: { value: 's3cret' }, other: 1 } };
    expect(redactSecretData(obj, ['spec.secretRef.value']).spec).toEqual({ secretRef: { value: REDACTED }, other: 1 });
    expect(redactSecretData([obj, obj], ['spec.secretRef']).map((o) => o.spec.secretRef)).toEqual([{ value: REDACTED }, { value: REDACTED }]);
    const list = redactSecretData({ kind: 'ThingList', items: [obj] }, ['spec.secretRef.value']);
    expect(list.items[0].spec.secretRef.value).toBe(REDACTED);
    // paths through arrays
    expect(redactSecretData({ spec: { entries: [{ key: 'k', value: 'v' }] } }, ['spec.entries.value']).spec.entries).toEqual([{ key: 'k', value: REDACTED }]);
  });

  it('finds secrets nested anywhere (lists of FederatedSecrets, embedded Secrets)', () => {
    const list = redactSecretData({ items: [federatedSecret(), { kind: 'Secret', data: { a: 'b' } }] });
    expect((list.items[0] as ReturnType<typeof federatedSecret>).spec.template.data.password).toBe(REDACTED);
    expect((list.items[1] as { data: unknown }).data).toEqual({ a: REDACTED });
  });

  it('blanks credential keys wherever they appear', () => {
    const cluster = { metadata: { name: 'a' }, spec: { server: 'https://a', credentials: { token: 'x' }, kubeconfig: 'apiVersion: v1' }, status: { token: null } };
    const out = redactSecretData(cluster);
    expect(out.spec).toEqual({ server: 'https://a', credentials: REDACTED, kubeconfig: REDACTED });
    expect(out.status.token).toBeNull();
  });

  it('leaves missing paths, scalars and nulls alone', () => {
    expect(redactSecretData({ a: 1 }, ['spec.template.data'])).toEqual({ a: 1 });
    expect(redactSecretData('text', ['x'])).toBe('text');
    expect(redactSecretData(null, ['x'])).toBeNull();
    expect(redactSecretData(undefined)).toBeUndefined();
    expect(redactSecretData({ kind: 'FederatedSecret', spec: { template: { data: null } } }).spec.template.data).toBeNull();
  });

  it('does not follow inherited or prototype-pollution keys', () => {
    const body = JSON.parse('{"__proto__":{"data":"x"},"kind":"Secret"}') as Record<string, unknown>;
    const out = redactSecretData(body);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).data).toBeUndefined();
  });

  it('survives very deep responses', () => {
    let deep: unknown = { kind: 'Secret', data: { k: 'v' } };
    for (let i = 0; i < 10_000; i++) deep = { child: deep };
    expect(() => redactSecretData(deep)).not.toThrow();
  });
});
