import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { Config } from '#libs/config';
import { REQUEST_ID_HEADER } from '#libs/observability';

/**
 * Security headers (helmet defaults: HSTS, nosniff, frame-ancestors 'none' via CSP, no referrer, ...) and
 * CORS. CORS is off unless `UBERNETES_CORS_ORIGINS` lists origins; credentials (cookies) are never allowed
 * because the API authenticates with bearer tokens only. Call before the body parser and the routes.
 */
export function applyHttpHardening(app: NestExpressApplication, config: Config): void {
  app.use(earlyRequestId);
  app.use(helmet());
  app.use(refuseUnparsedBodies);
  if (config.auth.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.auth.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      credentials: false,
      maxAge: 600,
    });
  }
}

/**
 * Gives the request its id before the body parser runs, so errors raised there (413 for a body over
 * HTTP_BODY_LIMIT, malformed JSON) still carry `requestId`. Same rule as the logger's id (a valid
 * `X-Request-Id` is kept); the logger middleware later keeps a valid incoming id or sets its own.
 */
function earlyRequestId(req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void): void {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}

/** Content types the JSON body parser reads (kept in step with bootstrap.ts). */
const PARSED_TYPES = /^application\/(json|[\w.+-]+\+json|yaml|merge-patch\+json)\s*(;|$)/i;

/**
 * A write with a body the parser does not read (form data, text, multipart, ...) reaches handlers as "no
 * body", which could turn junk into a body-less action (e.g. a key rotation). Refuse it with 415.
 */
function refuseUnparsedBodies(req: IncomingMessage, _res: ServerResponse, next: (error?: unknown) => void): void {
  const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || ['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? '')) return next();
  if (PARSED_TYPES.test(req.headers['content-type'] ?? '')) return next();
  next({ status: 415, statusCode: 415, expose: true, message: 'request body must be JSON (Content-Type: application/json)' });
}
