import type { Command } from 'commander';
import { clientFor } from '../context.js';

/**
 * `fedctl admin rotate-encryption-key`: asks the server to re-encrypt every stored member credential with
 * its current UBERNETES_ENCRYPTION_KEY (admin). Deploy the new key (old one in UBERNETES_ENCRYPTION_OLD_KEYS)
 * to every replica first; drop the old key once this reports no failures. Exit code 1 when any failed.
 */
export function register(program: Command): void {
  const admin = program.command('admin').description('Administrative actions (admin)');
  admin
    .command('rotate-encryption-key')
    .description('Re-encrypt stored member credentials with the current encryption key')
    .action(async (_options: unknown, command: Command) => {
      const report = await clientFor(command).post<{ total: number; reencrypted: number; failed: { cluster: string; error: string }[] }>(
        '/api/v1/admin/encryption/rotate',
        {},
      );
      process.stdout.write(`re-encrypted ${report.reencrypted} of ${report.total} stored credentials\n`);
      for (const f of report.failed) process.stderr.write(`  failed: cluster/${f.cluster}: ${f.error}\n`);
      if (report.failed.length) process.exitCode = 1;
    });
}
