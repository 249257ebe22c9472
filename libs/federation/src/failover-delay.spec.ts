import { FAILOVER_DELAY_ANNOTATION, failoverDelay, failoverDueInMs } from './failover-delay.js';

describe('failover delay: workload annotation over federation default', () => {
  it.each([
    ['no annotation → federation default', 0, undefined, { seconds: 0, source: 'federation' }],
    ['no annotation, federation 30 s', 30, {}, { seconds: 30, source: 'federation' }],
    ['annotation 120 wins over federation 0', 0, { [FAILOVER_DELAY_ANNOTATION]: '120' }, { seconds: 120, source: 'workload' }],
    ['annotation 0 wins over federation 30 (fail over at once)', 30, { [FAILOVER_DELAY_ANNOTATION]: '0' }, { seconds: 0, source: 'workload' }],
    ['surrounding blanks are accepted', 0, { [FAILOVER_DELAY_ANNOTATION]: ' 15 ' }, { seconds: 15, source: 'workload' }],
  ])('%s', (_name, federation, annotations, expected) => {
    expect(failoverDelay(federation, annotations as Record<string, string> | undefined)).toEqual(expected);
  });

  it.each(['-5', '1.5', 'ten', '', '3601', '1e3'])('an invalid annotation (%p) falls back to the federation value and says why', (value) => {
    const delay = failoverDelay(20, { [FAILOVER_DELAY_ANNOTATION]: value });
    expect(delay.seconds).toBe(20);
    expect(delay.source).toBe('federation');
    expect(delay.problem).toContain(FAILOVER_DELAY_ANNOTATION);
  });

  it('is due once NotReady for the delay, never negative', () => {
    const since = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(failoverDueInMs(since, 0, since)).toBe(0);
    expect(failoverDueInMs(since, 30, since + 10_000)).toBe(20_000);
    expect(failoverDueInMs(since, 30, since + 30_000)).toBe(0);
    expect(failoverDueInMs(since, 30, since + 90_000)).toBe(0);
  });
});
