import { ErrorCode, type FieldProblem } from '#libs/common';
import { findKubeResource, qualifiedResource } from './kube-resources.js';

/**
 * Errors of the Kubernetes-compatible paths as `metav1.Status`, so that kubectl prints them the way it
 * prints a Kubernetes API server's (`Error from server (Conflict): Operation cannot be fulfilled on ...`).
 * Pure: the exception filter hands over what it already worked out (HTTP status, code, message, field
 * problems) and the request's method, path and body name.
 */

/** Paths answered in Kubernetes' shapes (discovery, OpenAPI and the resources under `/apis`). */
export function isKubePath(path: string): boolean {
  return path === '/api' || path === '/api/' || path === '/api/v1' || path === '/version' || path === '/apis' || path.startsWith('/apis/') || path.startsWith('/openapi/');
}

/** What a request under `/apis/<group>/<version>/...` addresses (Kubernetes' RequestInfo). */
export interface KubeRequestInfo {
  group?: string;
  version?: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
}

/** Reads `/apis/<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]`. */
export function kubeRequestInfo(path: string): KubeRequestInfo {
  const parts = path.split('?')[0].split('/').filter(Boolean).map(safeDecode);
  if (parts[0] !== 'apis') return {};
  const info: KubeRequestInfo = { group: parts[1], version: parts[2] };
  let rest = parts.slice(3);
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    info.namespace = rest[1];
    rest = rest.slice(2);
  }
  [info.resource, info.name, info.subresource] = rest;
  return info;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A `metav1.Status` failure. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason: string; message: string; field?: string }[]; retryAfterSeconds?: number };
  code: number;
}

/** Kubernetes' StatusReason for an HTTP status (and, for 409, whether the name was taken). */
export function statusReason(status: number, code?: string): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 406:
      return 'NotAcceptable';
    case 409:
      return code === ErrorCode.AlreadyExists ? 'AlreadyExists' : 'Conflict';
    case 410:
      return 'Expired';
    case 413:
      return 'RequestEntityTooLarge';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return status >= 500 ? 'InternalError' : 'BadRequest';
  }
}

/** Kubernetes' wording of a failed update precondition (kubectl users recognise it). */
export const MODIFIED_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export interface KubeErrorInput {
  /** HTTP status the filter chose. */
  status: number;
  /** The API's error code (`ErrorCode`). */
  code: string;
  message: string;
  details: FieldProblem[];
  method: string;
  path: string;
  /** `metadata.name` of a create's body (the URL has no name then). */
  bodyName?: string;
  retryAfterSeconds?: number;
}

/**
 * The Status of an error on a Kubernetes path. Messages name the resource the Kubernetes way
 * (`federateddeployments.federation.ubernetes.io "web" not found`) when the request names a served
 * resource; field problems become `details.causes` with their `field` path.
 */
export function toKubeStatus(input: KubeErrorInput): KubeStatus {
  const info = kubeRequestInfo(input.path);
  const resource = info.group && info.resource ? findKubeResource(info.group, info.resource) : undefined;
  const name = info.name ?? input.bodyName;
  const reason = statusReason(input.status, input.code);
  const qualified = resource ? qualifiedResource(resource) : undefined;
  const quoted = name !== undefined ? ` "${name}"` : '';
  let message = input.message;
  if (qualified) {
    switch (reason) {
      case 'NotFound':
        // A missing object (not e.g. the missing target of a ReplicaSchedulingPreference).
        if (info.name !== undefined && resource?.verbs.includes('get')) message = `${qualified}${quoted} not found`;
        break;
      case 'AlreadyExists':
        message = `${qualified}${quoted} already exists`;
        break;
      case 'Conflict':
        message = `Operation cannot be fulfilled on ${qualified}${quoted}: ${/modified/.test(input.message) ? MODIFIED_MESSAGE : input.message}`;
        break;
      case 'Forbidden':
        message = `${qualified}${quoted} is forbidden: ${input.message}`;
        break;
      case 'Invalid':
        message = `${resource!.kind}.${resource!.group}${quoted} is invalid: ${
          input.details.length === 1
            ? `${input.details[0].path}: ${input.details[0].message}`
            : input.details.length
              ? `[${input.details.map((d) => `${d.path}: ${d.message}`).join(', ')}]`
              : input.message
        }`;
        break;
    }
  } else if (reason === 'NotFound' && /^Cannot [A-Z]+ /.test(message)) {
    message = 'the server could not find the requested resource';
  }
  const causes = input.details.map((d) => ({ reason: 'FieldValueInvalid', message: d.message, field: d.path }));
  const details = {
    ...(name !== undefined ? { name } : {}),
    ...(resource ? { group: resource.group, kind: reason === 'Invalid' ? resource.kind : resource.name } : {}),
    ...(causes.length ? { causes } : {}),
    ...(input.retryAfterSeconds !== undefined ? { retryAfterSeconds: input.retryAfterSeconds } : {}),
  };
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(Object.keys(details).length ? { details } : {}),
    code: input.status,
  };
}
