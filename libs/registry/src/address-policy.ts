import { isIP } from 'node:net';

/**
 * Which API-server addresses the federation may connect to (SSRF guard), pure.
 *
 * Refused always: link-local and cloud metadata (169.254.0.0/16, fe80::/10, fd00:ec2::254), unspecified
 * (0.0.0.0/8, ::) and multicast. Loopback (127.0.0.0/8, ::1) is allowed unless the federation turns it off
 * (`UBERNETES_ALLOW_LOOPBACK_CLUSTERS=false`). IPv4-mapped IPv6 addresses are judged by their IPv4 part.
 */
export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'unspecified' | 'multicast';

export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 4) return classifyV4(address);
  if (family === 6) {
    const v6 = address.toLowerCase();
    const mapped = v6.match(/^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/) ?? v6.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
    if (mapped) return classifyV4(mapped[1]);
    const words = expandV6(v6);
    if (words.every((w) => w === 0)) return 'unspecified';
    if (words.slice(0, 7).every((w) => w === 0) && words[7] === 1) return 'loopback';
    if (words[0] === 0xfd00 && words[1] === 0x0ec2 && words.slice(2, 7).every((w) => w === 0) && words[7] === 0x254) return 'metadata';
    if ((words[0] & 0xffc0) === 0xfe80) return 'link-local';
    if ((words[0] & 0xff00) === 0xff00) return 'multicast';
    if ((words[0] & 0xfe00) === 0xfc00) return 'private';
    return 'public';
  }
  throw new Error(`not an IP address: ${address}`);
}

function classifyV4(address: string): AddressClass {
  const [a, b] = address.split('.').map(Number);
  if (a === 169 && b === 254) return address === '169.254.169.254' ? 'metadata' : 'link-local';
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  return 'public';
}

function expandV6(address: string): number[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  // A trailing dotted IPv4 part counts as two words.
  const words = (parts: string[]) =>
    parts.flatMap((p) => (p.includes('.') ? (() => { const [w, x, y, z] = p.split('.').map(Number); return [(w << 8) | x, (y << 8) | z]; })() : [parseInt(p || '0', 16)]));
  const hw = words(h);
  const tw = words(t);
  return tail === undefined ? hw : [...hw, ...Array(8 - hw.length - tw.length).fill(0), ...tw];
}

/** Why an address is refused, or undefined when it may be used. */
export function addressRefusal(address: string, allowLoopback: boolean): string | undefined {
  switch (classifyAddress(address)) {
    case 'metadata':
      return `${address} is a cloud metadata address`;
    case 'link-local':
      return `${address} is a link-local address`;
    case 'unspecified':
      return `${address} is an unspecified address`;
    case 'multicast':
      return `${address} is a multicast address`;
    case 'loopback':
      return allowLoopback ? undefined : `${address} is a loopback address and UBERNETES_ALLOW_LOOPBACK_CLUSTERS is false`;
    default:
      return undefined;
  }
}
