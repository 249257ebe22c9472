import { MAX_DURATION_SECONDS, parseDurationSeconds } from './duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['24h', 86400],
    ['7d', 604800],
    ['2w', 1209600],
    ['366d', MAX_DURATION_SECONDS],
  ])('%s → %d s', (text, seconds) => expect(parseDurationSeconds(text)).toBe(seconds));

  it.each(['', '0s', '24', 'h', '1.5h', '-1h', '1y', '367d', '1h30m', '9999999s', '24H'])('refuses %j', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});
