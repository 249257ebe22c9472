import { DomainError } from '#libs/common';
import { matchesLabelSelector, parseLabelSelector, validateLabels } from './label-selector.js';

describe('parseLabelSelector', () => {
  it('parses every operator of the Kubernetes syntax', () => {
    expect(parseLabelSelector('a=b,c!=d,e in (x, y),!f,g,h==i,j notin (k)')).toEqual([
      { key: 'a', operator: 'Equals', values: ['b'] },
      { key: 'c', operator: 'NotEquals', values: ['d'] },
      { key: 'e', operator: 'In', values: ['x', 'y'] },
      { key: 'f', operator: 'DoesNotExist', values: [] },
      { key: 'g', operator: 'Exists', values: [] },
      { key: 'h', operator: 'Equals', values: ['i'] },
      { key: 'j', operator: 'NotIn', values: ['k'] },
    ]);
  });

  it('accepts prefixed keys and an empty selector', () => {
    expect(parseLabelSelector('topology.kubernetes.io/region=us-east-1')[0].key).toBe('topology.kubernetes.io/region');
    expect(parseLabelSelector('')).toEqual([]);
    expect(parseLabelSelector(undefined)).toEqual([]);
  });

  it.each([['a=b,'], ['a in (x'], ['a in ()'], ['=b'], ['a b'], ['a=b=c'], ['-a=b'], ['a=' + 'x'.repeat(64)]])('refuses %p naming labelSelector', (s) => {
    let error: unknown;
    try {
      parseLabelSelector(s);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).details[0].path).toBe('labelSelector');
  });
});

describe('matchesLabelSelector', () => {
  const labels = { a: 'b', c: 'x', e: 'y', g: '' };
  const m = (s: string) => matchesLabelSelector(parseLabelSelector(s), labels);

  it('matches the example selector from the issue', () => {
    expect(m('a=b,c!=d,e in (x,y),!f,g')).toBe(true);
  });

  it('treats != and notin as true when the key is absent, like Kubernetes', () => {
    expect(m('zz!=1')).toBe(true);
    expect(m('zz notin (1)')).toBe(true);
    expect(m('zz in (1)')).toBe(false);
    expect(m('zz=1')).toBe(false);
  });

  it('fails when any requirement fails', () => {
    expect(m('a=b,c=d')).toBe(false);
    expect(m('!a')).toBe(false);
    expect(m('e notin (y)')).toBe(false);
  });
});

describe('validateLabels', () => {
  it('names each bad key and value', () => {
    expect(validateLabels({ ok: 'v', 'Bad Key': 'v', k: 'bad value', n: 3 }).map((p) => p.path)).toEqual([
      'metadata.labels.Bad Key',
      'metadata.labels.k',
      'metadata.labels.n',
    ]);
  });
});
