import { matchesSelector, parseLabelSelector } from './label-selector.js';

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web,tier!=db', { app: 'web', tier: 'fe' }, true],
    ['env in (a, b)', { env: 'c' }, false],
    ['env notin (a)', { env: 'b' }, true],
    ['!legacy', { legacy: 'x' }, false],
    ['region', { region: 'eu' }, true],
  ])('%s on %j → %s', (text, labels, expected) => {
    expect(matchesSelector(parseLabelSelector(text), labels)).toBe(expected);
  });
});
