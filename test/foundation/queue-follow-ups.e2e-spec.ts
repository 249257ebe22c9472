import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { QueueName, QueueService, DEFAULT_JOB_OPTIONS, redisConnection } from '#libs/queues';
import { resetNamespace, TEST_REDIS_URL } from '../support/server.js';

/**
 * What propagation relies on to reconcile one object in one process at a time (issue #14), against the
 * real Redis and the installed BullMQ: jobs of several names in one coalescing group, a request due now
 * bringing a waiting follow-up forward, a running job deferring itself, and priorities.
 */
describe('queue follow-ups: one job per key across names and workers', () => {
  const prefix = 'e2e_queue_follow_ups';
  const queues: Queue[] = [];
  const workers: Worker[] = [];
  let service: QueueService;
  let queue: Queue;

  const worker = (fn: (job: Job, token?: string) => Promise<void>, concurrency = 4) => {
    const w = new Worker(QueueName.Reconcile, fn, { connection: redisConnection(TEST_REDIS_URL), prefix, concurrency });
    workers.push(w);
    return w;
  };
  const waitUntil = async (what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await fn())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
  };

  beforeEach(async () => {
    await resetNamespace(prefix);
    const make = (name: QueueName) => {
      const q = new Queue(name, { connection: redisConnection(TEST_REDIS_URL), prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      queues.push(q);
      return q;
    };
    service = new QueueService(make(QueueName.Health), make(QueueName.Reconcile), make(QueueName.Dns), make(QueueName.Failover));
    queue = service.queue(QueueName.Reconcile);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await Promise.all(queues.splice(0).map((q) => q.close()));
  });

  it('two job names of one group never run at once for a key, across two workers, and the latest request always runs', async () => {
    const running = new Map<string, number>();
    let maxConcurrent = 0;
    const seen: string[] = [];
    const processor = async (job: Job<{ key: string; v: number }>) => {
      const n = (running.get(job.data.key) ?? 0) + 1;
      running.set(job.data.key, n);
      maxConcurrent = Math.max(maxConcurrent, n);
      await sleep(40);
      seen.push(`${job.data.key}:${job.data.v}`);
      running.set(job.data.key, n - 1);
    };
    worker(processor);
    worker(processor);
    let v = 0;
    for (let round = 0; round < 12; round++) {
      for (const key of ['k1', 'k2', 'k3']) {
        const name = round % 2 ? 'refresh' : 'reconcile';
        await service.enqueue(QueueName.Reconcile, name, { key, v: ++v }, { coalesceKey: key, group: 'object' });
      }
      await sleep(15);
    }
    const last = new Map(['k1', 'k2', 'k3'].map((key, i) => [key, v - 2 + i]));
    await waitUntil('the latest request of every key', () => [...last].every(([key, lv]) => seen.includes(`${key}:${lv}`)));
    expect(maxConcurrent).toBe(1);
    // Requests merged: far fewer runs than requests.
    expect(seen.length).toBeLessThan(v);
  }, 30_000);

  it('a request due now brings a merged delayed job of another name forward (sooner)', async () => {
    const ran: { name: string; at: number }[] = [];
    const id = await service.enqueue(QueueName.Reconcile, 'refresh', { uid: 'u1', attempt: 5 }, { coalesceKey: 'u1', group: 'object', delayMs: 10_000 });
    const asked = Date.now();
    expect(await service.enqueue(QueueName.Reconcile, 'reconcile', { uid: 'u1' }, { coalesceKey: 'u1', group: 'object', sooner: true })).toBe(id);
    worker(async (job) => void ran.push({ name: job.name, at: Date.now() }));
    await waitUntil('the merged job ran', () => ran.length > 0, 5_000);
    // The merged job kept its name and payload (its backoff), and ran at once instead of in 10 s.
    expect(ran[0]!.name).toBe('refresh');
    expect(ran[0]!.at - asked).toBeLessThan(2_000);
  });

  it('a running job defers itself: it stays the one job of its key, and a request brings it forward', async () => {
    const runs: { id: string; attempt: number; at: number }[] = [];
    worker(async (job: Job<{ uid: string; attempt?: number }>, token?: string) => {
      runs.push({ id: job.id!, attempt: job.data.attempt ?? 0, at: Date.now() });
      if (runs.length === 1 && (await service.defer(job, token!, { delayMs: 10_000, data: { uid: 'u1', attempt: 1 }, priority: 1 }))) throw new DelayedError();
    });
    const id = await service.enqueue(QueueName.Reconcile, 'reconcile', { uid: 'u1' }, { coalesceKey: 'u1', group: 'object' });
    await waitUntil('deferred', async () => (await queue.getJobCounts('delayed')).delayed === 1);
    const deferred = (await queue.getJob(id!))!;
    expect(deferred.data).toEqual({ uid: 'u1', attempt: 1 });
    expect(deferred.priority).toBe(1);
    // Requests merge into the deferred job; one due now brings it forward.
    const asked = Date.now();
    expect(await service.enqueue(QueueName.Reconcile, 'reconcile', { uid: 'u1' }, { coalesceKey: 'u1', group: 'object', sooner: true })).toBe(id);
    await waitUntil('the second run', () => runs.length === 2, 5_000);
    expect(runs[1]).toMatchObject({ id, attempt: 1 });
    expect(runs[1]!.at - asked).toBeLessThan(2_000);
  });

  it('a request made while the job ran is not held behind its follow-up: the job completes and the request runs at once', async () => {
    const runs: { name: string; at: number }[] = [];
    let deferred: boolean | undefined;
    worker(async (job: Job<{ uid: string; v?: number }>, token?: string) => {
      runs.push({ name: `${job.name}:${job.data.v ?? 0}`, at: Date.now() });
      if (runs.length > 1) return;
      // While this job runs, someone asks again (BullMQ keeps the request to run after it) …
      await service.enqueue(QueueName.Reconcile, 'reconcile', { uid: 'u1', v: 2 }, { coalesceKey: 'u1', group: 'object', sooner: true });
      // … so its 10 s follow-up would hold that request back: nothing is deferred.
      deferred = await service.defer(job, token!, { delayMs: 10_000, data: { uid: 'u1', v: 1 } });
      if (deferred) throw new DelayedError();
    });
    await service.enqueue(QueueName.Reconcile, 'reconcile', { uid: 'u1', v: 0 }, { coalesceKey: 'u1', group: 'object' });
    await waitUntil('the request made during the run', () => runs.length === 2, 5_000);
    expect(deferred).toBe(false);
    expect(runs[1]!.name).toBe('reconcile:2');
    expect(runs[1]!.at - runs[0]!.at).toBeLessThan(2_000);
  });

  it('priorities: a request of priority 0 merging into a prioritized job raises it; counts tell them apart', async () => {
    await service.enqueue(QueueName.Reconcile, 'reconcile', { uid: 'u1' }, { coalesceKey: 'u1', group: 'object', priority: 1 });
    await service.enqueue(QueueName.Reconcile, 'reconcile', { uid: 'u2' }, { coalesceKey: 'u2', group: 'object', priority: 1 });
    expect(await queue.getJobCounts('waiting', 'prioritized')).toEqual({ waiting: 0, prioritized: 2 });
    // A control-plane request merging into another one changes nothing; a user's raises it.
    await service.enqueue(QueueName.Reconcile, 'reconcile', { uid: 'u1' }, { coalesceKey: 'u1', group: 'object', priority: 1 });
    expect(await queue.getJobCounts('waiting', 'prioritized')).toEqual({ waiting: 0, prioritized: 2 });
    await service.enqueue(QueueName.Reconcile, 'reconcile', { uid: 'u1' }, { coalesceKey: 'u1', group: 'object', priority: 0 });
    expect(await queue.getJobCounts('waiting', 'prioritized')).toEqual({ waiting: 1, prioritized: 1 });
    // Priority 0 is taken first.
    const order: string[] = [];
    worker(async (job: Job<{ uid: string }>) => void order.push(job.data.uid), 1);
    await waitUntil('both ran', () => order.length === 2);
    expect(order).toEqual(['u1', 'u2']);
  });
});
