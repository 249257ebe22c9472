import { DomainError, ErrorCode } from '#libs/common';
import type { AppConfig } from '#libs/config';
import { MetricsService } from '#libs/observability';
import type { QueueService } from '#libs/queues';
import { PropagationAdmission, userWriteBacklog } from './admission.js';

/** A reconcile queue whose waiting count the test sets; counts how often it was read. */
function fakeQueue() {
  const state = { waiting: 0, prioritized: 0, delayed: 0, reads: 0, fail: false };
  const queues = {
    queue: () => ({
      getJobCounts: async () => {
        state.reads++;
        if (state.fail) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        return { waiting: state.waiting, prioritized: state.prioritized, delayed: state.delayed };
      },
    }),
  } as unknown as QueueService;
  return { state, queues };
}

function gate(queues: QueueService, maxBacklog: number, timeoutSeconds = 5) {
  const config = { propagation: { admissionMaxBacklog: maxBacklog, admissionTimeoutSeconds: timeoutSeconds } } as AppConfig;
  return new PropagationAdmission(queues, config, new MetricsService());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PropagationAdmission', () => {
  it('lets writes through at once while the backlog is below the limit', async () => {
    const { state, queues } = fakeQueue();
    state.waiting = 3;
    const admission = gate(queues, 10);
    const started = performance.now();
    await admission.admit();
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('counts writes it admitted since the last reading, so a burst cannot overshoot the limit', async () => {
    const { state, queues } = fakeQueue();
    state.waiting = 0;
    const admission = gate(queues, 4);
    const order: number[] = [];
    // Ten writes at once; each admitted one enqueues a job, and no worker takes any: four get in, six wait.
    const writes = Array.from({ length: 10 }, (_, i) =>
      admission.admit().then(() => {
        order.push(i);
        state.waiting++;
      }),
    );
    await sleep(100);
    expect(order).toHaveLength(4);
    // The workers take jobs: every waiting write gets in, oldest first.
    state.waiting = -100;
    await Promise.all(writes);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    admission.onModuleDestroy();
  });

  it('counts only the jobs of user writes: the control plane\'s own (prioritized, delayed) never hold a write back', async () => {
    expect(userWriteBacklog({ waiting: 3, prioritized: 10_000, delayed: 500, active: 8 })).toBe(3);
    expect(userWriteBacklog({})).toBe(0);
    const { state, queues } = fakeQueue();
    // A health transition re-planned 10 000 objects and every one of them waits for a refresh.
    state.prioritized = 10_000;
    state.delayed = 10_000;
    const admission = gate(queues, 2, 0.2);
    const started = performance.now();
    await admission.admit();
    await admission.admit();
    expect(performance.now() - started).toBeLessThan(100);
    // Two user writes are waiting now: the third waits (and here is refused) as before.
    state.waiting = 2;
    await sleep(30);
    await expect(admission.admit()).rejects.toMatchObject({ code: ErrorCode.RateLimited });
  });

  it('refuses a write that waited too long with 429 and a Retry-After', async () => {
    const { state, queues } = fakeQueue();
    state.waiting = 50;
    const admission = gate(queues, 10, 0.2);
    const error = await admission.admit().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.RateLimited);
    expect((error as DomainError).retryAfterSeconds).toBe(1);
    expect((error as DomainError).message).toMatch(/backlogged/);
  });

  it('lets writes through when Redis cannot be read (their enqueue reports the outage)', async () => {
    const { state, queues } = fakeQueue();
    state.fail = true;
    await expect(gate(queues, 1).admit()).resolves.toBeUndefined();
  });

  it('is off with a limit of 0 (no Redis reads)', async () => {
    const { state, queues } = fakeQueue();
    state.waiting = 1_000;
    await gate(queues, 0).admit();
    expect(state.reads).toBe(0);
  });

  it('releases waiting writes with 429 on shutdown', async () => {
    const { state, queues } = fakeQueue();
    state.waiting = 50;
    const admission = gate(queues, 10);
    const waiting = admission.admit().catch((e: unknown) => e);
    await sleep(20);
    admission.onModuleDestroy();
    expect(((await waiting) as DomainError).code).toBe(ErrorCode.RateLimited);
  });
});
