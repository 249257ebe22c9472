import { DomainError } from '#libs/common';
import { applyMergePatch, parseRegisterBody, validateDefinition } from './cluster-input.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const good = { server: 'https://127.0.0.1:6443', caData: CA, credentials: { token: 't' } };

function paths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).details.map((d) => d.path);
  }
  return [];
}

describe('cluster input', () => {
  it('accepts a minimal registration and defaults taints and cordon', () => {
    const body = parseRegisterBody({ metadata: { name: 'member-1' }, spec: good });
    const def = validateDefinition({ name: body.metadata.name, labels: {}, spec: body.spec!, credentials: body.spec!.credentials });
    expect(def.spec).toEqual({ server: good.server, caData: CA, taints: [], unschedulable: false });
    expect(def.credentials).toEqual({ token: 't' });
    expect(JSON.stringify(def.spec)).not.toContain('"t"');
  });

  it.each([
    [{ metadata: { name: 'Member_1' }, spec: good }, 'metadata.name'],
    [{ metadata: { name: 'a'.repeat(64) }, spec: good }, 'metadata.name'],
    [{ spec: good }, 'metadata'],
    [{ metadata: { name: 'm', labels: { 'bad key': 'v' } }, spec: good }, 'metadata.labels.bad key'],
    [{ metadata: { name: 'm' }, spec: { ...good, server: 'http://127.0.0.1' } }, 'spec.server'],
    [{ metadata: { name: 'm' }, spec: { ...good, healthCheck: { failureThreshold: -1 } } }, 'spec.healthCheck.failureThreshold'],
    [{ metadata: { name: 'm' }, spec: { ...good, healthCheck: { periodSeconds: 0 } } }, 'spec.healthCheck.periodSeconds'],
    [{ metadata: { name: 'm' }, spec: { ...good, taints: [{ key: 'k', effect: 'Sometimes' }] } }, 'spec.taints[0].effect'],
    [{ metadata: { name: 'm' }, spec: { ...good, caData: Buffer.from('hello').toString('base64') } }, 'spec.caData'],
  ])('names the bad field of %j', (body, path) => {
    expect(paths(() => parseRegisterBody(body))).toContain(path);
  });

  it('requires credentials in a complete definition', () => {
    expect(paths(() => validateDefinition({ name: 'm', labels: {}, spec: { server: good.server }, credentials: undefined }))).toEqual(['spec.credentials']);
  });
});

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects, deletes on null and replaces arrays', () => {
    expect(
      applyMergePatch(
        { labels: { a: '1', b: '2' }, spec: { taints: [{ key: 'x' }], unschedulable: false, healthCheck: { periodSeconds: 5 } } },
        { labels: { b: null, c: '3' }, spec: { taints: [], unschedulable: true, healthCheck: null } },
      ),
    ).toEqual({ labels: { a: '1', c: '3' }, spec: { taints: [], unschedulable: true } });
  });
});
