import { storedClusterSpec, storedClusterStatus, storedProbeCounters } from './cluster-stored.js';

describe('reading stored cluster documents', () => {
  it('a spec reads back as written, with taints and cordon defaulted', () => {
    expect(storedClusterSpec({ server: 'https://a:6443', caData: 'Q0E=', zones: ['z1'], region: 'r1', healthCheck: { periodSeconds: 5 } })).toEqual({
      server: 'https://a:6443',
      caData: 'Q0E=',
      zones: ['z1'],
      region: 'r1',
      taints: [],
      unschedulable: false,
      healthCheck: { periodSeconds: 5 },
    });
  });

  it('fields of the wrong type read as absent, never as a wrong type', () => {
    expect(
      storedClusterSpec({ server: 7, insecureSkipTLSVerify: 'yes', zones: ['z1', 3], taints: [{ key: 'k', effect: 'Sometimes' }, { key: 'gpu', effect: 'NoSchedule' }], healthCheck: { periodSeconds: 'x' } }),
    ).toEqual({ server: '', zones: ['z1'], taints: [{ key: 'gpu', effect: 'NoSchedule' }], unschedulable: false });
    expect(storedClusterSpec(null)).toEqual({ server: '', taints: [], unschedulable: false });
  });

  it('a status keeps only well-formed conditions', () => {
    const status = storedClusterStatus({
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'ok', lastTransitionTime: '2026-12-04T10:00:00.000Z' },
        { type: 'Ready', status: 'Maybe', reason: 'ClusterReady', lastTransitionTime: 't' },
        'junk',
      ],
      zones: ['z1'],
      lastProbeLatencyMs: 12,
    });
    expect(status).toEqual({
      conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'ok', lastTransitionTime: '2026-12-04T10:00:00.000Z' }],
      zones: ['z1'],
      lastProbeLatencyMs: 12,
    });
    expect(storedClusterStatus({})).toEqual({ conditions: [], zones: [] });
  });

  it('probe counters default to 0 and are whole, non-negative numbers', () => {
    expect(storedProbeCounters({ consecutiveFailures: 3 })).toEqual({ consecutiveFailures: 3, consecutiveSuccesses: 0 });
    expect(storedProbeCounters({ consecutiveFailures: -2, consecutiveSuccesses: 1.7 })).toEqual({ consecutiveFailures: 0, consecutiveSuccesses: 1 });
    expect(storedProbeCounters(undefined)).toEqual({ consecutiveFailures: 0, consecutiveSuccesses: 0 });
  });
});
