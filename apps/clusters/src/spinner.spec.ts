import { Spinner } from './spinner.js';

/** A non-TTY stream that records what is written. */
function recorder(): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY: false,
    write: (chunk: string) => chunks.push(chunk) > 0,
    text: () => chunks.join(''),
  } as unknown as NodeJS.WriteStream & { text: () => string };
}

describe('Spinner outside a terminal', () => {
  it('prints the start text, each change and a final line with the elapsed seconds, without escape codes', () => {
    const out = recorder();
    const spinner = new Spinner(out);
    spinner.start('starting 2 member clusters');
    spinner.update('member-1: apiserver');
    spinner.log('[kube-build] compiling');
    spinner.succeed('2 member clusters ready');
    expect(out.text()).toBe(
      'starting 2 member clusters ...\n  member-1: apiserver (0s)\n[kube-build] compiling\n✓ 2 member clusters ready (0s)\n',
    );
  });
});
