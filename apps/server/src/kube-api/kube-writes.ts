import { UnsupportedMediaTypeException } from '@nestjs/common';
import { DomainError } from '#libs/common';
import { applyOperations, type OverrideOperation } from '#libs/federation';
import { applyMergePatch } from '#libs/registry';
import { badRequest, parseQuery, WriteQuerySchema } from './kube-list.js';

/**
 * The write side of the Kubernetes paths: `dryRun`, DeleteOptions, PATCH media types and the `Warning`
 * headers kubectl prints. Pure helpers; the controllers call the domain services.
 */

/** `?dryRun=All` → true (unknown query parameters such as `fieldManager` are accepted and ignored). */
export function dryRunOf(query: unknown): boolean {
  return parseQuery(WriteQuerySchema, query).dryRun === 'All';
}

/** `Warning: 299 - "..."` values (RFC 7234), which kubectl prints as `Warning: ...`. */
export function warningHeader(notes: readonly string[]): string | undefined {
  if (!notes.length) return undefined;
  return notes.map((n) => `299 - "${n.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?').slice(0, 1000)}"`).join(', ');
}

/** What a DELETE asks for: a dry run and preconditions (DeleteOptions body or query). */
export interface DeleteRequest {
  dryRun: boolean;
  resourceVersion?: string;
  uid?: string;
}

/** Reads DeleteOptions (`{kind: DeleteOptions, preconditions: {resourceVersion, uid}, dryRun: [All]}`). */
export function parseDeleteOptions(body: unknown, query: unknown): DeleteRequest {
  const out: DeleteRequest = { dryRun: dryRunOf(query) };
  if (body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)) return out;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of a DELETE must be DeleteOptions');
  const b = body as Record<string, unknown>;
  if (b.dryRun !== undefined) {
    if (!Array.isArray(b.dryRun) || b.dryRun.some((v) => v !== 'All')) throw badRequest('dryRun: must be ["All"]');
    if (b.dryRun.length) out.dryRun = true;
  }
  const pre = b.preconditions;
  if (pre !== undefined && pre !== null) {
    if (typeof pre !== 'object' || Array.isArray(pre)) throw badRequest('preconditions: must be an object');
    const { resourceVersion, uid } = pre as Record<string, unknown>;
    if (resourceVersion !== undefined && resourceVersion !== null) {
      if (typeof resourceVersion !== 'string' || !/^[0-9]{1,18}$/.test(resourceVersion)) throw badRequest('preconditions.resourceVersion: must be a resourceVersion the API returned');
      out.resourceVersion = resourceVersion;
    }
    if (uid !== undefined && uid !== null) {
      if (typeof uid !== 'string' || uid.length > 64) throw badRequest('preconditions.uid: must be a uid');
      out.uid = uid;
    }
  }
  return out;
}

/** The PATCH media types served: JSON merge patch and JSON patch (add, replace, remove). */
export type PatchType = 'merge' | 'json';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (media === 'application/merge-patch+json') return 'merge';
  if (media === 'application/json-patch+json') return 'json';
  throw new UnsupportedMediaTypeException(
    `the body of a PATCH must be a JSON merge patch (application/merge-patch+json) or a JSON patch (application/json-patch+json), not ${media.slice(0, 100) || 'empty'}: with kubectl use --type merge or --type json`,
  );
}

/** Applies a merge or JSON patch to `current` (never modified); bad patches → 422 naming the operation. */
export function applyPatch(current: Record<string, unknown>, patch: unknown, type: PatchType): Record<string, unknown> {
  if (type === 'merge') {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw DomainError.invalid([{ path: '(body)', message: 'a JSON merge patch must be an object' }]);
    return applyMergePatch(current, patch) as Record<string, unknown>;
  }
  if (!Array.isArray(patch)) throw DomainError.invalid([{ path: '(body)', message: 'a JSON patch must be an array of operations' }]);
  const ops: OverrideOperation[] = patch.map((op, i) => {
    const o = (op ?? {}) as Record<string, unknown>;
    if (typeof op !== 'object' || Array.isArray(op) || !['add', 'replace', 'remove'].includes(o.op as string) || typeof o.path !== 'string' || !o.path.startsWith('/')) {
      throw DomainError.invalid([{ path: `[${i}]`, message: 'must be {op: add|replace|remove, path: /json/pointer, value}' }], 'invalid JSON patch');
    }
    return { op: o.op as OverrideOperation['op'], path: o.path, value: o.value };
  });
  return applyOperations(current, ops, '');
}
