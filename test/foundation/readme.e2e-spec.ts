import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envSchema } from '#libs/config';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The README is the newcomer's entry point: its commands and configuration table must stay true. */
describe('README', () => {
  it('documents every environment variable the server reads', () => {
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Using Ubernetes'));
    const missing = Object.keys(envSchema.shape).filter((name) => !table.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('names the two set-up commands, which exist in package.json, and CI calls the test command', () => {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(readme).toMatch(/```bash\nnpm run demo .*\nnpm test .*\n```/);
    expect(scripts.demo).toContain('test/setup-machine.sh');
    expect(scripts.test).toContain('test/run-tests.sh');
    expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
