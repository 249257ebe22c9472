import { addressRefusal, classifyAddress } from './address-policy.js';
import { checkServerUrl, serverUrlProblems } from './server-url.js';

describe('serverUrlProblems', () => {
  it('accepts https URLs with a host and an optional port or path', () => {
    expect(serverUrlProblems('https://k8s.example.com:6443')).toEqual([]);
    expect(serverUrlProblems('https://10.0.0.1/k8s/clusters/c-1')).toEqual([]);
  });

  it.each([
    ['http://10.0.0.1:6443', /https/],
    ['https://admin:pw@10.0.0.1', /user information/],
    ['10.0.0.1:6443', /https/],
    ['not a url', /absolute https/],
    ['https://10.0.0.1/?x=1', /query/],
  ])('refuses %s', (url, message) => {
    const problems = serverUrlProblems(url);
    expect(problems[0].path).toBe('spec.server');
    expect(problems.map((p) => p.message).join(' ')).toMatch(message);
  });
});

describe('address policy', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'link-local'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['8.8.8.8', 'public'],
    ['2001:db8::1', 'public'],
  ])('classifies %s as %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('allows loopback only when configured', () => {
    expect(addressRefusal('127.0.0.1', true)).toBeUndefined();
    expect(addressRefusal('127.0.0.1', false)).toMatch(/UBERNETES_ALLOW_LOOPBACK_CLUSTERS/);
    expect(addressRefusal('169.254.169.254', true)).toMatch(/metadata/);
  });
});

describe('checkServerUrl', () => {
  const resolveTo = (addresses: string[]) => async () => addresses;

  it('refuses a host name that resolves to the metadata address', async () => {
    const problems = await checkServerUrl('https://metadata.internal:443', { allowLoopback: true, resolve: resolveTo(['10.0.0.9', '169.254.169.254']) });
    expect(problems).toEqual([{ path: 'spec.server', message: expect.stringMatching(/metadata.internal resolves to 169.254.169.254 is a cloud metadata address/) }]);
  });

  it('refuses IP literals without resolving and accepts loopback by default', async () => {
    const never = async () => {
      throw new Error('must not resolve');
    };
    expect(await checkServerUrl('https://[fd00:ec2::254]:443', { allowLoopback: true, resolve: never })).toHaveLength(1);
    expect(await checkServerUrl('https://127.0.0.1:6443', { allowLoopback: true, resolve: never })).toEqual([]);
    expect(await checkServerUrl('https://127.0.0.1:6443', { allowLoopback: false, resolve: never })).toHaveLength(1);
  });

  it('refuses a host that does not resolve', async () => {
    const fail = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    expect((await checkServerUrl('https://nowhere.invalid', { allowLoopback: true, resolve: fail }))[0].message).toMatch(/does not resolve \(ENOTFOUND\)/);
  });
});
