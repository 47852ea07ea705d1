import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmittedEvent } from '@tandem/schema';
import { InProcessEventBus, interpreterWorkflowId, IpcEventBus, RedisEventBus, type ExecutionEventBus, type WorkerMessage } from '@tandem/worker';
import { eventually } from '../../test-support/eventually.js';
import { createHarness, workflow } from './harness.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function event(executionId: string, sequence: number): EmittedEvent {
  return {
    executionId,
    sequence,
    type: sequence === 1 ? 'EXECUTION_STARTED' : 'STEP_COMPLETED',
    nodeId: sequence === 1 ? null : `n${sequence}`,
    at: new Date(0).toISOString(),
    temporalWorkflowId: interpreterWorkflowId(executionId),
    temporalRunId: 'run',
    data: { sequence },
  };
}

const implementations: Array<[string, () => ExecutionEventBus]> = [
  ['in-process', () => new InProcessEventBus()],
  ['redis', () => new RedisEventBus({ url: REDIS_URL, stream: `tandem:test:${randomUUID()}` })],
];

describe.each(implementations)('%s event bus', (_name, create) => {
  let bus: ExecutionEventBus;
  beforeAll(() => {
    bus = create();
  });
  afterAll(async () => {
    await bus.close();
  });

  it('delivers every event to every subscriber in publish order', async () => {
    const id = randomUUID();
    const a: number[] = [];
    const b: number[] = [];
    const stopA = await bus.subscribe((e) => e.executionId === id && a.push(e.sequence));
    const stopB = await bus.subscribe((e) => e.executionId === id && b.push(e.sequence));
    for (let i = 1; i <= 50; i++) await bus.publish(event(id, i));
    await eventually(() => a.length === 50 && b.length === 50);
    const expected = Array.from({ length: 50 }, (_, i) => i + 1);
    expect(a).toEqual(expected);
    expect(b).toEqual(expected);
    await stopA();
    await stopB();
  });

  it('lets a subscriber that was away resume after the last position it saw', async () => {
    const id = randomUUID();
    const seen: Array<{ sequence: number; position: string }> = [];
    const stop = await bus.subscribe((e, position) => e.executionId === id && seen.push({ sequence: e.sequence, position }));
    for (let i = 1; i <= 3; i++) await bus.publish(event(id, i));
    await eventually(() => seen.length === 3);
    await stop();
    for (let i = 4; i <= 6; i++) await bus.publish(event(id, i));
    const resumed: number[] = [];
    const stopResumed = await bus.subscribe((e) => e.executionId === id && resumed.push(e.sequence), { after: seen[2]!.position });
    await eventually(() => resumed.length === 3);
    expect(resumed).toEqual([4, 5, 6]);
    await stopResumed();
  });

  it('answers a readiness ping', async () => {
    await expect(bus.ping()).resolves.toBeUndefined();
  });
});

describe('IPC event bus (the worker child of npm start)', () => {
  it('sends the events of one turn to the parent in one message, in publish order', async () => {
    const sent: WorkerMessage[] = [];
    const bus = new IpcEventBus((message, callback) => {
      sent.push(message);
      setImmediate(() => callback(null));
      return true;
    });
    const id = randomUUID();
    await Promise.all([1, 2, 3].map((n) => bus.publish(event(id, n))));
    await bus.publish(event(id, 4));
    expect(sent.map((m) => (m.type === 'events' ? m.events.map((e) => e.sequence) : m.type))).toEqual([[1, 2, 3], [4]]);
  });

  it('fails every event of a message the channel refused', async () => {
    const bus = new IpcEventBus((_message, callback) => {
      callback(new Error('channel closed'));
      return false;
    });
    const id = randomUUID();
    const outcomes = await Promise.allSettled([bus.publish(event(id, 1)), bus.publish(event(id, 2))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('redis event bus with untrusted stream entries', () => {
  it('drops malformed entries and keeps delivering', async () => {
    const stream = `tandem:test:${randomUUID()}`;
    const bus = new RedisEventBus({ url: REDIS_URL, stream });
    const raw = createClient({ url: REDIS_URL });
    await raw.connect();
    const id = randomUUID();
    const seen: number[] = [];
    const stop = await bus.subscribe((e) => e.executionId === id && seen.push(e.sequence));
    await raw.xAdd(stream, '*', { event: '{not json' });
    await raw.xAdd(stream, '*', { event: JSON.stringify({ executionId: id, sequence: 'x', type: 'NOPE' }) });
    await raw.xAdd(stream, '*', { other: 'field' });
    await bus.publish(event(id, 1));
    await eventually(() => seen.length === 1);
    expect(seen).toEqual([1]);
    await stop();
    await bus.close();
    await raw.del(stream);
    await raw.quit();
  });
});

describe('worker publishing through Redis', () => {
  it('delivers a real run’s events through a Redis stream to a separate subscriber', async () => {
    const stream = `tandem:test:${randomUUID()}`;
    const publisherBus = new RedisEventBus({ url: REDIS_URL, stream });
    const consumerBus = new RedisEventBus({ url: REDIS_URL, stream });
    const received: EmittedEvent[] = [];
    const stop = await consumerBus.subscribe((e) => received.push(e));
    const h = await createHarness({ bus: publisherBus });
    try {
      const run = await h.run(
        workflow(
          [
            { id: 't', type: 'trigger.manual' },
            { id: 'out', type: 'output', config: { expression: 'input.x + 1' } },
          ],
          [['t', 'out']],
        ),
        { x: 1 },
      );
      expect(run.result).toBe(2);
      await eventually(() => received.some((e) => e.type === 'EXECUTION_COMPLETED'));
      expect(received.map((e) => e.sequence)).toEqual(run.events.map((e) => e.sequence));
      expect(received.map((e) => e.type)).toEqual(run.events.map((e) => e.type));
    } finally {
      await h.close();
      await stop();
      await consumerBus.close();
      await publisherBus.close();
    }
  });
});
