import { readFileSync } from 'node:fs';
import { Logger as NestLogger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { DomainError, ErrorCode } from '#libs/common';
import type { Config } from '#libs/config';
import { runMigrationsLocked } from '#libs/persistence';
import { checkRedis } from '#libs/queues';
import { AppModule } from './app.module.js';
import { applyHttpHardening } from './auth/http-hardening.js';

export interface StartedServer {
  app: INestApplication;
  /** The bound HTTP address, e.g. `http://127.0.0.1:8080`. */
  url: string;
  migrations: string[];
  warnings: string[];
}

/**
 * Preflight (PostgreSQL reachable, migrations under the advisory lock, Redis reachable and configured for
 * BullMQ), then the Nest application with every configured role. Throws a DomainError with one readable
 * line when a dependency is unreachable.
 */
export async function startServer(config: Config): Promise<StartedServer> {
  const warnings: string[] = [];
  const redis = await checkRedis(config.redis.url, config.startupTimeoutMs);
  if (redis.warning) warnings.push(redis.warning);
  const report = await runMigrationsLocked(config.database);

  const httpsOptions = config.http.tls ? readTls(config.http.tls) : undefined;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
    bodyParser: false,
    ...(httpsOptions ? { httpsOptions } : {}),
  });
  app.useLogger(app.get(Logger));
  applyHttpHardening(app, config);
  app.useBodyParser('json', { limit: config.http.bodyLimit, type: ['application/json', 'application/*+json', 'application/yaml', 'application/merge-patch+json'] });
  app.disable('x-powered-by');
  setupOpenApi(app);
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as { port: number };
  const logger = new NestLogger('Bootstrap');
  for (const warning of warnings) logger.warn(warning);
  logger.log({ roles: [...config.roles], port: address.port, migrationsApplied: report.applied }, 'Ubernetes started');
  return { app, url: `${httpsOptions ? 'https' : 'http'}://${config.http.host}:${address.port}`, migrations: report.applied, warnings };
}

/** The PEM certificate and key of HTTPS (one readable line when a file cannot be read). */
function readTls(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new DomainError(ErrorCode.Invalid, `ubernetes: invalid configuration: ${variable} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${path})`);
    }
  };
  return { cert: read('HTTP_TLS_CERT_FILE', tls.certFile), key: read('HTTP_TLS_KEY_FILE', tls.keyFile) };
}

function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Ubernetes API')
      .setDescription('Kubernetes multi-cluster federation: member clusters, federated objects, DNS and failover.')
      .setVersion('v1')
      .addBearerAuth()
      // Every route needs a bearer token except /healthz, /readyz, /metrics; /docs and /openapi.json stay public.
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
}
