import { matchesSelector } from './label-selector.js';
import type { LabelSelector } from './federated-object.types.js';

describe('structured label selectors (placement and override specs)', () => {
  it.each<[string, LabelSelector | undefined, Record<string, string>, boolean]>([
    ['no selector matches everything', undefined, {}, true],
    ['matchLabels equal', { matchLabels: { region: 'eu' } }, { region: 'eu', tier: 'x' }, true],
    ['matchLabels differ', { matchLabels: { region: 'eu' } }, { region: 'us' }, false],
    ['In', { matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] }, { env: 'c' }, false],
    ['NotIn on a missing key', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['a'] }] }, {}, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] }, { legacy: 'x' }, false],
    ['Exists and matchLabels together', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'region', operator: 'Exists' }] }, { app: 'web', region: 'eu' }, true],
  ])('%s', (_name, selector, labels, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });
});
