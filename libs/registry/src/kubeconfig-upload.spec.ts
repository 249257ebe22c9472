import { stringify } from 'yaml';
import { DomainError } from '#libs/common';
import { parseUploadedKubeconfig } from './kubeconfig-upload.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}) {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': CA, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  });
}

function refusal(yaml: string): DomainError {
  try {
    parseUploadedKubeconfig(yaml);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('parseUploadedKubeconfig', () => {
  it('extracts server, CA and token of the current context', () => {
    expect(parseUploadedKubeconfig(kubeconfig({ token: 't0k' }))).toEqual({
      server: 'https://127.0.0.1:6443',
      caData: CA,
      insecureSkipTLSVerify: false,
      credentials: { token: 't0k', clientCertificateData: undefined, clientKeyData: undefined },
    });
  });

  it.each([
    [{ exec: { command: '/bin/sh', args: ['-c', 'id'] } }, {}, 'kubeconfig.users[0].user.exec', /runs a program/],
    [{ 'auth-provider': { name: 'gcp', config: { 'cmd-path': '/bin/sh' } } }, {}, 'kubeconfig.users[0].user.auth-provider', /auth-provider/],
    [{ tokenFile: '/etc/shadow' }, {}, 'kubeconfig.users[0].user.tokenFile', /reads a file/],
    [{ 'client-certificate': '/c.pem', token: 'x' }, {}, 'kubeconfig.users[0].user.client-certificate', /reads a file/],
    [{ 'client-key': '/k.pem', token: 'x' }, {}, 'kubeconfig.users[0].user.client-key', /reads a file/],
    [{ token: 'x' }, { 'certificate-authority': '/etc/ca.pem' }, 'kubeconfig.clusters[0].cluster.certificate-authority', /reads a file/],
  ])('refuses %j %j at %s', (user, cluster, path, message) => {
    const error = refusal(kubeconfig(user, cluster));
    expect(error).toBeInstanceOf(DomainError);
    expect(error.details).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('scans every user, not only the current context', () => {
    const doc = stringify({
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }],
      users: [
        { name: 'u', user: { token: 'ok' } },
        { name: 'evil', user: { exec: { command: 'curl' } } },
      ],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    });
    expect(refusal(doc).details[0].path).toBe('kubeconfig.users[1].user.exec');
  });

  it('reports insecure-skip-tls-verify so the caller can require an explicit opt-in', () => {
    expect(parseUploadedKubeconfig(kubeconfig({ token: 't' }, { 'insecure-skip-tls-verify': true })).insecureSkipTLSVerify).toBe(true);
  });

  it('refuses a missing context and invalid YAML', () => {
    expect(() => parseUploadedKubeconfig(kubeconfig({ token: 't' }), 'other')).toThrow(/context "other" not found/);
    expect(() => parseUploadedKubeconfig('a: [')).toThrow(/not valid YAML/);
  });
});
