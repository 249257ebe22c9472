import { Queue, Worker, type Job } from 'bullmq';
import { QueueName, QueueService, DEFAULT_JOB_OPTIONS, redisConnection } from '#libs/queues';
import { resetNamespace, TEST_REDIS_URL } from '../support/server.js';

/** BullMQ semantics the rest of Ubernetes relies on, against the real Redis. */
describe('queues', () => {
  const prefix = 'e2e_queues';
  const queues: Queue[] = [];
  let service: QueueService;

  beforeAll(async () => {
    await resetNamespace(prefix);
    const make = (name: QueueName) => {
      const q = new Queue(name, { connection: redisConnection(TEST_REDIS_URL), prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      queues.push(q);
      return q;
    };
    service = new QueueService(make(QueueName.Health), make(QueueName.Reconcile), make(QueueName.Dns), make(QueueName.Failover));
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.close()));
  });

  it('coalesces requests for the same key into one waiting job with deterministic id', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, () => service.enqueue(QueueName.Reconcile, 'reconcile', { objectId: 'ns/web' }, { coalesceKey: 'ns/web' })),
    );
    expect(new Set(ids).size).toBe(1);
    const counts = await service.queue(QueueName.Reconcile).getJobCounts('waiting');
    expect(counts.waiting).toBe(1);
    await service.enqueue(QueueName.Reconcile, 'reconcile', { objectId: 'ns/api' }, { coalesceKey: 'ns/api' });
    expect((await service.queue(QueueName.Reconcile).getJobCounts('waiting')).waiting).toBe(2);
  });

  it('with `sooner`, a request due earlier brings forward a merged job that waits longer (and a later one never postpones it)', async () => {
    const queue = service.queue(QueueName.Failover);
    const dueAt = async (id: string) => {
      const job = (await queue.getJob(id))!;
      return job.timestamp + (job.delay ?? 0);
    };
    const id = (await service.enqueue(QueueName.Failover, 'rebalance', { uid: 'u1' }, { coalesceKey: 'u1', delayMs: 10_000, sooner: true }))!;
    const first = await dueAt(id);
    // A later request merges and leaves the due time alone.
    expect(await service.enqueue(QueueName.Failover, 'rebalance', { uid: 'u1' }, { coalesceKey: 'u1', delayMs: 30_000, sooner: true })).toBe(id);
    expect(await dueAt(id)).toBe(first);
    // An earlier one moves it up: the merged job runs about half a second later, not ten.
    const asked = Date.now();
    expect(await service.enqueue(QueueName.Failover, 'rebalance', { uid: 'u1' }, { coalesceKey: 'u1', delayMs: 500, sooner: true })).toBe(id);
    let ranAt = 0;
    const worker = new Worker(QueueName.Failover, async () => void (ranAt ||= Date.now()), { connection: redisConnection(TEST_REDIS_URL), prefix });
    const deadline = Date.now() + 8_000;
    while (!ranAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await worker.close();
    const tookMs = ranAt - asked;
    expect(tookMs).toBeGreaterThanOrEqual(400);
    expect(tookMs).toBeLessThan(5_000);
    // Without `sooner`, the merge keeps the existing due time (the default coalescing).
    const other = (await service.enqueue(QueueName.Failover, 'rebalance', { uid: 'u2' }, { coalesceKey: 'u2', delayMs: 10_000 }))!;
    const before = await dueAt(other);
    await service.enqueue(QueueName.Failover, 'rebalance', { uid: 'u2' }, { coalesceKey: 'u2', delayMs: 100 });
    expect(await dueAt(other)).toBe(before);
    await queue.obliterate({ force: true });
  });

  it('keeps one follow-up while a job for the key is running, and retries failures with backoff', async () => {
    const queue = service.queue(QueueName.Dns);
    const seen: string[] = [];
    let attempts = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const worker = new Worker(
      QueueName.Dns,
      async (job: Job<{ v: number }>) => {
        if (job.data.v === 1) await gate;
        if (job.data.v === 99 && attempts++ < 2) throw new Error('transient');
        seen.push(`v${job.data.v}`);
      },
      { connection: redisConnection(TEST_REDIS_URL), prefix, concurrency: 4 },
    );
    await service.enqueue(QueueName.Dns, 'publish', { v: 1 }, { coalesceKey: 'zone-a' });
    while ((await queue.getJobCounts('active')).active === 0) await new Promise((r) => setTimeout(r, 20));
    // While v1 runs, three more requests arrive: only the last one is kept and runs after v1.
    for (const v of [2, 3, 4]) await service.enqueue(QueueName.Dns, 'publish', { v }, { coalesceKey: 'zone-a' });
    release();
    await service.enqueue(QueueName.Dns, 'publish', { v: 99 }, { coalesceKey: 'zone-b' });
    const deadline = Date.now() + 15_000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await worker.close();
    expect(seen).toContain('v1');
    expect(seen).toContain('v4');
    expect(seen).not.toContain('v2');
    expect(seen).not.toContain('v3');
    expect(seen).toContain('v99');
    expect(attempts).toBe(3);
  }, 30_000);
});
