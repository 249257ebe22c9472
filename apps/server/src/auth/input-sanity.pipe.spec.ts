import { DomainError } from '#libs/common';
import { InputSanityPipe, MAX_INPUT_DEPTH } from './input-sanity.pipe.js';

describe('InputSanityPipe', () => {
  const pipe = new InputSanityPipe();
  const body = { type: 'body' as const };

  it('passes ordinary input through unchanged', () => {
    const value = { metadata: { name: 'db', labels: { 'app.kubernetes.io/name': 'db' } }, spec: { replicas: 3, list: [1, 'two', null] } };
    expect(pipe.transform(value, body)).toBe(value);
    expect(pipe.transform('east', { type: 'param', data: 'name' })).toBe('east');
    expect(pipe.transform(undefined, body)).toBeUndefined();
  });

  it('refuses NUL characters in values and keys with 422 naming the field', () => {
    const attempt = (v: unknown) => {
      try {
        pipe.transform(v, body);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e = attempt({ metadata: { name: 'a\u0000b' } }) as DomainError;
    expect(e).toBeInstanceOf(DomainError);
    expect(e.details).toEqual([{ path: 'metadata.name', message: 'must not contain NUL characters' }]);
    expect(e.message).not.toContain('a\u0000b');
    expect(attempt({ spec: { ['k\u0000']: 1 } })).toBeInstanceOf(DomainError);
    expect(() => pipe.transform('\u0000', { type: 'param', data: 'name' })).toThrow(DomainError);
  });

  it('refuses nesting past the limit without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => pipe.transform(deep, body)).toThrow(/nested more than/);
    let ok: unknown = 1;
    for (let i = 0; i < MAX_INPUT_DEPTH - 1; i++) ok = { a: ok };
    expect(pipe.transform(ok, body)).toBe(ok);
  });

  it('ignores custom parameter decorators (the principal)', () => {
    const principal = { actor: 'x\u0000' };
    expect(pipe.transform(principal, { type: 'custom' })).toBe(principal);
  });
});
