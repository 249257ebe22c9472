import { formatFields, table } from './output.js';

describe('table', () => {
  it('aligns columns to the widest cell and trims trailing blanks', () => {
    expect(table(['NAME', 'ZONE'], [['member-1', 'us-east-1a'], ['m-3', 'eu-west-1a']])).toBe(
      'NAME      ZONE\nmember-1  us-east-1a\nm-3       eu-west-1a',
    );
  });
});

describe('formatFields', () => {
  it('renders strings bare and other values as JSON', () => {
    expect(formatFields({ cluster: 'member-1', attempt: 2, ok: true })).toBe('cluster=member-1 attempt=2 ok=true');
  });
});
