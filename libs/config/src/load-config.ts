import { envSchema, Role, type EnvConfig } from './config.schema.js';
import { authConfig, authConfigProblems, type AuthConfig } from './auth-config.js';
import { propagationConfig, type PropagationConfig } from './propagation-config.js';
import { failoverConfig, type FailoverConfig } from './failover-config.js';
import { retentionConfig, type RetentionConfig } from './retention-config.js';
import { dnsConfig, dnsConfigProblems, type DnsConfig } from './dns-config.js';

/** Validated configuration of one Ubernetes process. */
export interface Config {
  roles: ReadonlySet<Role>;
  http: { host: string; port: number; bodyLimit: string; tls?: { certFile: string; keyFile: string } };
  logLevel: EnvConfig['LOG_LEVEL'];
  database: { url: string; schema: string; poolSize: number };
  redis: { url: string; queuePrefix: string };
  shutdownTimeoutMs: number;
  startupTimeoutMs: number;
  federationName: string;
  devMode: boolean;
  /** Keyring of member credentials at rest; `key` undefined means "not configured" (dev mode derives one). */
  encryption: { key?: string; oldKeys: string[] };
  /** Registration policy for member API server addresses. */
  clusters: { allowLoopback: boolean };
  /** Federation-wide health probe defaults. */
  health: { periodSeconds: number; timeoutSeconds: number; failureThreshold: number; successThreshold: number; concurrency: number };
  /** Access control: bootstrap token, rate limit, CORS, OIDC. */
  auth: AuthConfig;
  /** Propagation of federated objects: resync period, member timeouts, concurrency. */
  propagation: PropagationConfig;
  /** Failover: federation-wide delay before replicas leave a NotReady cluster. */
  failover: FailoverConfig;
  /** DNS global service discovery: zone, TTL, owner id, built-in server, providers. */
  dns: DnsConfig;
  /** How long events, audit records and condition transitions are kept. */
  retention: RetentionConfig;
}

/** Thrown when the environment is invalid; `problems` names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable} ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the configuration from environment variables. Empty strings count as unset so that
 * `FOO= cmd` falls back to the default. Throws {@link ConfigError} listing every invalid variable at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const got = input[variable];
      return { variable, message: `${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(redact(variable, got))})`}` };
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const crossProblems = [...authConfigProblems(e), ...dnsConfigProblems(e)];
  if (!e.HTTP_TLS_CERT_FILE !== !e.HTTP_TLS_KEY_FILE) crossProblems.push({ variable: e.HTTP_TLS_CERT_FILE ? 'HTTP_TLS_KEY_FILE' : 'HTTP_TLS_CERT_FILE', message: 'set both HTTP_TLS_CERT_FILE and HTTP_TLS_KEY_FILE, or neither' });
  if (crossProblems.length) throw new ConfigError(crossProblems);
  return {
    roles: new Set(e.UBERNETES_ROLES),
    http: {
      host: e.HTTP_HOST,
      port: e.HTTP_PORT,
      bodyLimit: e.HTTP_BODY_LIMIT,
      ...(e.HTTP_TLS_CERT_FILE && e.HTTP_TLS_KEY_FILE ? { tls: { certFile: e.HTTP_TLS_CERT_FILE, keyFile: e.HTTP_TLS_KEY_FILE } } : {}),
    },
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA, poolSize: e.DATABASE_POOL_SIZE },
    redis: { url: e.REDIS_URL, queuePrefix: e.QUEUE_PREFIX },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    startupTimeoutMs: e.STARTUP_TIMEOUT_MS,
    federationName: e.FEDERATION_NAME,
    devMode: e.UBERNETES_DEV_MODE,
    encryption: { key: e.UBERNETES_ENCRYPTION_KEY, oldKeys: e.UBERNETES_ENCRYPTION_OLD_KEYS },
    clusters: { allowLoopback: e.UBERNETES_ALLOW_LOOPBACK_CLUSTERS },
    health: {
      periodSeconds: e.UBERNETES_HEALTH_PERIOD_SECONDS,
      timeoutSeconds: e.UBERNETES_HEALTH_TIMEOUT_SECONDS,
      failureThreshold: e.UBERNETES_HEALTH_FAILURE_THRESHOLD,
      successThreshold: e.UBERNETES_HEALTH_SUCCESS_THRESHOLD,
      concurrency: e.UBERNETES_HEALTH_CONCURRENCY,
    },
    auth: authConfig(e),
    propagation: propagationConfig(e),
    failover: failoverConfig(e),
    dns: dnsConfig(e),
    retention: retentionConfig(e),
  };
}

/** Hides credentials in URLs and anything that looks like a secret before it reaches a message. */
export function redact(variable: string, value: string): string {
  if (/KEY|TOKEN|SECRET|PASSWORD/i.test(variable)) return '<redacted>';
  return redactUrl(value);
}

/** `postgres://user:pw@host/db` → `postgres://user:***@host/db`; non-URLs are returned unchanged. */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return value;
  }
}
