import { DomainError } from '#libs/common';
import { age } from '../format.js';
import { renderColumns, type ResourceKind } from './resource-kind.js';

/** An event as `GET /api/v1/events` returns it. */
export interface EventView {
  time: string;
  type: string;
  reason: string;
  object: string;
  message: string;
  details?: Record<string, unknown>;
}

/** `-l object=Cluster/eu-1,reason=ReplicasMoved,since=10m` → query parameters of `/api/v1/events`. */
function queryOf(selector: string | undefined): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const part of (selector ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, ...rest] = part.split('=');
    if (!['object', 'reason', 'since', 'limit'].includes(key) || rest.length === 0) {
      throw DomainError.invalid([{ path: '--selector', message: `events filter on object=, reason=, since= or limit= (got "${part}")` }]);
    }
    query[key] = rest.join('=');
  }
  return query;
}

/**
 * `fedctl get events [-l object=…,reason=…,since=10m]`: cluster health, failover and recovery events,
 * oldest first, e.g. `cluster eu-1 NotReady → web: 4 replicas moved to us-1, us-2 (now …); DNS withdrawn`.
 * `fedctl get events OBJECT` and `fedctl describe events OBJECT` show the events of one object
 * (`Cluster/eu-1`, `FederatedDeployment/default/web`).
 */
export const eventKind: ResourceKind<EventView> = {
  names: ['events', 'event', 'ev'],
  kind: 'Event',

  async list(api, { labelSelector }) {
    return (await api.get<{ items: EventView[] }>('/api/v1/events', queryOf(labelSelector))).items;
  },

  async get(api, name) {
    const items = (await api.get<{ items: EventView[] }>('/api/v1/events', { object: name, limit: '1' })).items;
    if (!items.length) throw DomainError.notFound(`events of ${name}`);
    return items[0];
  },

  nameOf: (e) => e.object,

  table(items, wide, now) {
    const headers = ['TIME', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];
    if (wide) headers.splice(1, 0, 'AGE');
    const rows = items.map((e) => {
      const row: string[] = [e.time.replace(/\.\d+Z$/, 'Z'), e.type, e.reason, e.object, e.message];
      if (wide) row.splice(1, 0, age(e.time, now));
      return row;
    });
    return { headers, rows };
  },

  async describe(api, name, now) {
    const items = (await api.get<{ items: EventView[] }>('/api/v1/events', { object: name })).items;
    if (!items.length) return `No events for ${name}.\n`;
    return renderColumns([['Time', 'Age', 'Type', 'Reason', 'Message'], ...items.map((e) => [e.time, age(e.time, now), e.type, e.reason, e.message])]);
  },
};
