import { DomainError, ErrorCode } from '#libs/common';
import { plan, validatePlanInput, validatePreferences } from '#libs/placement';

describe('validatePreferences', () => {
  it('accepts the documented shape, "*" included', () => {
    expect(
      validatePreferences({
        rebalance: true,
        clusters: { '*': { weight: 1 }, 'eu-1': { weight: 0, minReplicas: 2, maxReplicas: null }, us: { maxReplicas: 3 } },
      }),
    ).toEqual([]);
  });

  it.each<[string, unknown, { path: string; message: RegExp }[]]>([
    ['not an object', 'x', [{ path: 'spec.prefs', message: /object/ }]],
    ['clusters missing', { rebalance: false }, [{ path: 'spec.prefs.clusters', message: /required/ }]],
    ['rebalance not boolean', { rebalance: 'yes', clusters: {} }, [{ path: 'spec.prefs.rebalance', message: /boolean/ }]],
    ['negative weight', { clusters: { a: { weight: -1 } } }, [{ path: 'spec.prefs.clusters.a.weight', message: /negative/ }]],
    ['non-integer weight', { clusters: { a: { weight: 1.5 } } }, [{ path: 'spec.prefs.clusters.a.weight', message: /integer/ }]],
    ['weight above 1e6', { clusters: { a: { weight: 1_000_001 } } }, [{ path: 'spec.prefs.clusters.a.weight', message: /at most/ }]],
    ['string minReplicas', { clusters: { a: { minReplicas: '2' } } }, [{ path: 'spec.prefs.clusters.a.minReplicas', message: /integer/ }]],
    [
      'min > max',
      { clusters: { '*': { minReplicas: 5, maxReplicas: 2 } } },
      [{ path: 'spec.prefs.clusters.*.minReplicas', message: /exceed maxReplicas/ }],
    ],
    ['unknown key', { clusters: { a: { wieght: 1 } } }, [{ path: 'spec.prefs.clusters.a.wieght', message: /unknown field/ }]],
    ['unknown top-level key', { clusters: {}, mode: 'x' }, [{ path: 'spec.prefs.mode', message: /unknown field/ }]],
    ['dotted names are quoted', { clusters: { 'a.b': { weight: -2 } } }, [{ path: 'spec.prefs.clusters["a.b"].weight', message: /negative/ }]],
    ['entry not an object', { clusters: { a: 3 } }, [{ path: 'spec.prefs.clusters.a', message: /object/ }]],
  ])('%s', (_name, prefs, expected) => {
    const problems = validatePreferences(prefs, 'spec.prefs');
    expect(problems).toEqual(expected.map((e) => ({ path: e.path, message: expect.stringMatching(e.message) })));
  });
});

describe('validatePlanInput', () => {
  it('fills algorithm and key defaults', () => {
    expect(validatePlanInput({ totalReplicas: 3, clusters: ['a'] })).toEqual({
      algorithm: 'default',
      key: '',
      totalReplicas: 3,
      clusters: ['a'],
    });
  });

  it('collects every problem into one DomainError(Invalid) with field paths', () => {
    let error: unknown;
    try {
      validatePlanInput({
        algorithm: 'fastest',
        totalReplicas: -1,
        clusters: ['a', 'a', '*', 7],
        preferences: { clusters: { a: { weight: -1 } } },
        currentReplicas: { a: 1.5 },
        estimatedCapacity: [],
        extra: true,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    const domain = error as DomainError;
    expect(domain.code).toBe(ErrorCode.Invalid);
    expect(domain.details.map((d) => d.path)).toEqual([
      'extra',
      'algorithm',
      'totalReplicas',
      'clusters[1]',
      'clusters[2]',
      'clusters[3]',
      'preferences.clusters.a.weight',
      'currentReplicas.a',
      'estimatedCapacity',
    ]);
    expect(domain.message).toMatch(/^invalid plan input: extra: unknown field/);
  });

  it.each([
    [{ clusters: [] }, 'totalReplicas'],
    [{ totalReplicas: 1 }, 'clusters'],
    [{ totalReplicas: 2 ** 31, clusters: [] }, 'totalReplicas'],
    [{ totalReplicas: 1, clusters: [], key: 3 }, 'key'],
    [null, '(input)'],
  ])('rejects %j at %s', (input, path) => {
    expect(() => validatePlanInput(input)).toThrow(DomainError);
    try {
      validatePlanInput(input);
    } catch (e) {
      expect((e as DomainError).details[0].path).toBe(path);
    }
  });

  it('prefixes paths for API callers', () => {
    expect(() => validatePlanInput({ totalReplicas: 'x', clusters: [] }, 'spec.placement')).toThrow(
      /spec\.placement\.totalReplicas: must be an integer/,
    );
  });

  it('plan() refuses invalid input instead of planning it', () => {
    expect(() =>
      plan({ algorithm: 'legacy', key: '', totalReplicas: 3, clusters: ['a'], preferences: { clusters: { a: { minReplicas: 4, maxReplicas: 1 } } } }),
    ).toThrow(DomainError);
  });
});
