/**
 * Convergence notifications (issue #14): with the api and worker roles in two processes sharing one
 * PostgreSQL and Redis, every reconcile record the worker commits reaches a subscriber in the api
 * process (PostgreSQL NOTIFY, payload the uid), a finished deletion too, and a lost listening
 * connection is followed by a resync signal. No member is registered: a reconcile still records the
 * object's status (nothing placed).
 */
import pg from 'pg';
import { ReconcileNotifications } from '#libs/propagation';
import { TEST_DATABASE_URL, startTestServer, type TestServer } from '../support/server.js';
import { call, waitFor } from './propagation-helpers.js';

const NS = 'e2e_reconcile_notifications';
const ENV = { UBERNETES_RESYNC_SECONDS: '300', UBERNETES_RATE_LIMIT_RPS: '0', UBERNETES_ADMISSION_MAX_BACKLOG: '0' };
const PATH = '/api/v1/namespaces/default/federatedconfigmaps/settings';

function configMap() {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedConfigMap',
    metadata: { name: 'settings', namespace: 'default' },
    spec: { template: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } } },
  };
}

describe('reconcile notifications reach every process', () => {
  let api: TestServer;
  let worker: TestServer;

  beforeAll(async () => {
    api = await startTestServer(NS, { env: { ...ENV, UBERNETES_ROLES: 'api' } });
    worker = await startTestServer(NS, { env: { ...ENV, UBERNETES_ROLES: 'worker' }, fresh: false });
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
  }, 60_000);

  it('the api process hears the worker record an object and finish its deletion; a dropped connection is followed by resync', async () => {
    const notifications = api.app.get(ReconcileNotifications);
    expect(notifications.channel).toBe(`ubernetes_reconciled_${NS}`);
    const heard: string[] = [];
    let resyncs = 0;
    const unsubscribe = notifications.subscribe(
      (uid) => heard.push(uid),
      () => resyncs++,
    );
    try {
      // Listening before anything is written (the subscription opens the connection): a probe is heard.
      await waitFor('listening', async () => {
        await notify(notifications.channel, 'probe');
        await new Promise((r) => setTimeout(r, 50));
        return heard.includes('probe');
      }, 10_000, 0);

      const created = await call(api, 'PUT', PATH, configMap());
      expect(created.status).toBe(201);
      const uid: string = created.body.metadata.uid;
      await waitFor('the record of the first reconcile heard', async () => heard.includes(uid), 15_000, 20);
      // What the notification announces is there to read.
      const stored = await call(api, 'GET', PATH);
      expect(stored.body.status?.conditions?.length).toBeGreaterThan(0);

      const before = heard.length;
      const deleted = await call(api, 'DELETE', PATH);
      expect(deleted.status).toBe(200);
      await waitFor('the object gone', async () => (await call(api, 'GET', PATH)).status === 404, 15_000, 50);
      await waitFor('the deletion heard', async () => heard.length > before && heard.slice(before).includes(uid), 5_000, 20);

      // The listening connections of this schema (the api's, and the worker's when something there
      // subscribes) are cut: once the api's is back, its subscribers are told to resync.
      expect(resyncs).toBe(0);
      expect(await terminateListeners(NS)).toBeGreaterThanOrEqual(1);
      await waitFor('resync signalled', async () => resyncs === 1, 20_000, 50);
    } finally {
      unsubscribe();
    }
  }, 120_000);
});

async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const notify = (channel: string, payload: string) => withClient((c) => c.query('SELECT pg_notify($1, $2)', [channel, payload]));

/** Cuts the backends listening on this schema's channel (the LISTEN is their last statement); how many. */
const terminateListeners = (schema: string) =>
  withClient(async (c) => {
    const rows = await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ubernetes-reconciled-listen' AND query = $1`, [`LISTEN "ubernetes_reconciled_${schema}"`]);
    return rows.rowCount ?? 0;
  });
