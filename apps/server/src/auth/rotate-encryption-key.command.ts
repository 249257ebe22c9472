import { NestFactory } from '@nestjs/core';
import type { Config } from '#libs/config';
import { runMigrationsLocked } from '#libs/persistence';
import { ClustersService } from '#libs/registry';
import { AppModule } from '../app.module.js';
import { EncryptionRotationService } from './encryption-rotation.service.js';

/**
 * `node dist/apps/server/src/main.js rotate-encryption-key`: re-encrypts every stored member credential
 * with the current UBERNETES_ENCRYPTION_KEY, from a short-lived process (no HTTP, no workers) that can run
 * next to serving replicas. Prints the report as JSON on stdout; exit code 1 when any credential failed.
 */
export async function rotateEncryptionKeyCommand(config: Config): Promise<number> {
  await runMigrationsLocked(config.database);
  // No roles: no HTTP routes, no workers, no schedules; only the providers (the registry and its keyring).
  // Nest's console logger writes to stdout, which carries the report: only errors are shown.
  const app = await NestFactory.createApplicationContext(AppModule.register({ ...config, roles: new Set(), logLevel: 'error' }), { logger: ['error'] });
  try {
    const report = await new EncryptionRotationService(app.get(ClustersService, { strict: false })).rotate();
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.failed.length ? 1 : 0;
  } finally {
    await app.close();
  }
}
