import { allocatePorts, listeningPortRange } from './ports.js';

describe('listeningPortRange', () => {
  it('stays below the ephemeral range so restarts find their port free', () => {
    expect(listeningPortRange('32768\t60999\n')).toEqual({ from: 20000, to: 32768 });
  });

  it('lets the kernel choose when the ephemeral range starts too low or is unknown', () => {
    expect(listeningPortRange('1024 65535')).toBeUndefined();
    expect(listeningPortRange(undefined)).toBeUndefined();
  });
});

describe('allocatePorts', () => {
  it('returns distinct ports', async () => {
    const ports = await allocatePorts(6);
    expect(new Set(ports).size).toBe(6);
    for (const port of ports) expect(port).toBeGreaterThan(0);
  });
});
