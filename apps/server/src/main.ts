import 'reflect-metadata';
import { ConfigError, loadConfig } from '#libs/config';
import { isDomainError } from '#libs/common';
import { runMigrationsLocked } from '#libs/persistence';
import { startServer } from './bootstrap.js';
import { rotateEncryptionKeyCommand } from './auth/rotate-encryption-key.command.js';

/**
 * `node dist/apps/server/src/main.js [serve|migrate|rotate-encryption-key]`: configuration errors and unreachable dependencies
 * end the process with one line on stderr and exit code 1, never a stack trace.
 */
async function main(): Promise<void> {
  const command = process.argv[2] ?? 'serve';
  const config = loadConfig();
  if (command === 'migrate') {
    const report = await runMigrationsLocked(config.database);
    process.stdout.write(report.applied.length ? `applied: ${report.applied.join(', ')}\n` : 'database schema is up to date\n');
    return;
  }
  if (command === 'rotate-encryption-key') {
    process.exitCode = await rotateEncryptionKeyCommand(config);
    return;
  }
  if (command !== 'serve') throw new ConfigError([{ variable: 'command', message: `unknown command "${command}" (use serve, migrate or rotate-encryption-key)` }]);
  const server = await startServer(config);
  // Graceful shutdown: stop accepting requests, let workers finish their current job, close Redis and
  // PostgreSQL, then exit 0. A shutdown that hangs past SHUTDOWN_TIMEOUT_MS exits 1.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`ubernetes: ${signal} received, shutting down\n`);
    setTimeout(() => {
      process.stderr.write(`ubernetes: shutdown took longer than ${config.shutdownTimeoutMs} ms, exiting\n`);
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    server.app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`ubernetes: error during shutdown: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || isDomainError(error)) {
    process.stderr.write(`ubernetes: ${error.message}\n`);
  } else {
    process.stderr.write(`ubernetes: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
