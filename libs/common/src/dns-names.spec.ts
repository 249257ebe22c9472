import type { FieldProblem } from './errors.js';
import { checkDnsName, checkOwnerId, checkTtl, isInZone, isValidDnsName } from './dns-names.js';

const problems = (check: (path: string, value: unknown, out: FieldProblem[]) => void, value: unknown): string[] => {
  const out: FieldProblem[] = [];
  check('v', value, out);
  return out.map((p) => p.message);
};

describe('DNS name rules shared by the config edge and the planner', () => {
  it.each([
    ['example.com', false, true],
    ['a-b.c0.example', false, true],
    ['Example.com', false, false],
    ['example.com.', false, false],
    ['-a.example.com', false, false],
    ['a_b.example.com', false, false],
    ['_http._tcp.example.com', false, false],
    ['_http._tcp.example.com', true, true],
    [`${'a'.repeat(64)}.com`, false, false],
    [Array.from({ length: 64 }, () => 'abc').join('.'), false, false],
    ['', false, false],
  ])('isValidDnsName(%j, underscore=%s) → %s', (name, underscore, valid) => {
    expect(isValidDnsName(name, underscore)).toBe(valid);
  });

  it.each([
    ['a.example.com', 'example.com', true],
    ['example.com', 'example.com', true],
    ['badexample.com', 'example.com', false],
    ['example.com', 'a.example.com', false],
  ])('isInZone(%j, %j) → %s', (name, apex, inZone) => {
    expect(isInZone(name, apex)).toBe(inZone);
  });

  it('say what is wrong in the words every refusal uses', () => {
    expect(problems(checkDnsName, 'Bad_Zone')).toEqual(['must be a valid lower-case DNS name (labels of a-z, 0-9, "-", max 63 chars, total 253, no trailing dot)']);
    expect(problems(checkDnsName, 'ok.example')).toEqual([]);
    expect(problems(checkTtl, 1.5)).toEqual(['must be an integer number of seconds in 1..2147483647']);
    expect(problems(checkTtl, 2_147_483_648)).toHaveLength(1);
    expect(problems(checkTtl, 30)).toEqual([]);
    expect(problems(checkOwnerId, 'UPPER')).toEqual(['must match [a-z0-9-]{1,63}']);
    expect(problems(checkOwnerId, 'fed-1')).toEqual([]);
  });
});
