/** Severity of a harness log entry. */
export type HarnessLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Structured log sink injected into the harness. `fields` carries context keys such as `cluster`,
 * `process`, `pod` or `error`; the harness never prints by itself except through this callback.
 */
export type HarnessLogger = (level: HarnessLogLevel, message: string, fields?: Record<string, unknown>) => void;

const levelRank: Record<HarnessLogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger that drops everything. */
export const silentLogger: HarnessLogger = () => undefined;

/**
 * A logger writing one JSON line per entry at or above `minLevel` to stderr. The default logger of the
 * harness is `stderrLogger(process.env.UBERNETES_HARNESS_LOG ?? 'warn')`.
 */
export function stderrLogger(minLevel: HarnessLogLevel = 'warn'): HarnessLogger {
  const threshold = levelRank[minLevel] ?? levelRank.warn;
  return (level, message, fields) => {
    if (levelRank[level] < threshold) return;
    const entry = { time: new Date().toISOString(), level, msg: message, ...fields };
    process.stderr.write(`${JSON.stringify(entry, errorReplacer)}\n`);
  };
}

/** The logger used when a caller injects none: warnings and errors only, unless the env says otherwise. */
export function defaultLogger(): HarnessLogger {
  const level = process.env.UBERNETES_HARNESS_LOG as HarnessLogLevel | undefined;
  return stderrLogger(level && level in levelRank ? level : 'warn');
}

/** Short description of an unknown error for log fields. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
    return code ? `${error.name}: ${error.message} (${String(code)})` : `${error.name}: ${error.message}`;
  }
  return String(error);
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? describeError(value) : value;
}
