import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError } from '#libs/common';

/** Deepest nesting accepted in a body or query (Kubernetes objects stay far below). */
export const MAX_INPUT_DEPTH = 64;

/**
 * Global pipe (APP_PIPE) run on every `@Body()`, `@Param()` and `@Query()` value before the handler's own
 * validation. Refuses with 422 what no route can store or process safely:
 * - NUL characters in strings or keys (PostgreSQL text and jsonb cannot hold them: they would surface as
 *   a 500 from the driver);
 * - nesting deeper than {@link MAX_INPUT_DEPTH} (recursive validators and walkers could overflow the stack).
 * The walk is iterative, so the check itself never overflows. Values are never echoed.
 */
@Injectable()
export class InputSanityPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const problem = findProblem(value);
    if (problem) throw DomainError.invalid([{ path: problem.path || `(${metadata.type})`, message: problem.message }], `invalid request ${metadata.type}`);
    return value;
  }
}

function findProblem(root: unknown): { path: string; message: string } | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { path, message: 'must not contain NUL characters' };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_INPUT_DEPTH) return { path, message: `is nested more than ${MAX_INPUT_DEPTH} levels deep` };
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key.includes('\u0000')) return { path, message: 'keys must not contain NUL characters' };
      stack.push({ value: (value as Record<string, unknown>)[key], path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return undefined;
}
