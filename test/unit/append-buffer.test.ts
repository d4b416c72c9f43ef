import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendDue, BufferedAppender, type AppendPolicy } from '../../src/core/promptLab/appendBuffer';
import { fakeClock } from '../harness/fakeClock';

const settle = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve); });

void describe('appending in batches', () => {
  const policy: AppendPolicy = { maxLines: 3, maxWaitMs: 1000 };

  void it('is due at maxLines lines, or once the first has waited maxWaitMs, never with none waiting', () => {
    assert.equal(appendDue(0, undefined, 5000, policy), false);
    assert.equal(appendDue(2, 0, 999, policy), false);
    assert.equal(appendDue(3, 0, 0, policy), true);
    assert.equal(appendDue(1, 0, 1000, policy), true);
  });

  void it('appends maxLines lines in one write, each ended by a line break, in the order added', async () => {
    const writes: string[] = [];
    const appender = new BufferedAppender(async (text) => { await Promise.resolve(); writes.push(text); }, policy, fakeClock());
    await appender.add('a');
    await appender.add('b');
    assert.deepEqual(writes, []);
    assert.equal(appender.pending, 2);
    await appender.add('c');
    assert.deepEqual(writes, ['a\nb\nc\n']);
    assert.equal(appender.pending, 0);
  });

  void it('appends what waits once the first line has waited maxWaitMs, with no more lines coming', async () => {
    const writes: string[] = [];
    const clock = fakeClock();
    const appender = new BufferedAppender(async (text) => { await Promise.resolve(); writes.push(text); }, policy, clock);
    await appender.add('a');
    clock.advance(600);
    await appender.add('b');
    clock.advance(399);
    await settle();
    assert.deepEqual(writes, []);
    clock.advance(1);
    await settle();
    assert.deepEqual(writes, ['a\nb\n']);
    assert.equal(clock.timers, 0);
  });

  void it('flush appends whatever waits, and nothing when nothing does', async () => {
    const writes: string[] = [];
    const clock = fakeClock();
    const appender = new BufferedAppender(async (text) => { await Promise.resolve(); writes.push(text); }, policy, clock);
    await appender.flush();
    assert.deepEqual(writes, []);
    await appender.add('a');
    await appender.flush();
    assert.deepEqual(writes, ['a\n']);
    assert.equal(clock.timers, 0, 'the timer of the flushed line is stopped');
  });

  void it('never overlaps appends: lines added during one go in the next, in order', async () => {
    const writes: string[] = [];
    let active = 0;
    let release: (() => void) | undefined;
    const appender = new BufferedAppender(async (text) => {
      active++;
      assert.equal(active, 1, 'one append at a time');
      if (release === undefined) await new Promise<void>((resolve) => { release = resolve; });
      writes.push(text);
      active--;
    }, { maxLines: 1, maxWaitMs: 1000 }, fakeClock());
    const first = appender.add('a');
    await settle();
    const second = appender.add('b');
    const third = appender.add('c');
    release?.();
    await Promise.all([first, second, third]);
    assert.deepEqual(writes.join(''), 'a\nb\nc\n');
  });

  void it('keeps the lines of a failed append: adding then fails, and a flush that works writes them all, in order', async () => {
    const writes: string[] = [];
    let fail = true;
    const appender = new BufferedAppender(async (text) => {
      await Promise.resolve();
      if (fail) throw new Error('disk full');
      writes.push(text);
    }, { maxLines: 2, maxWaitMs: 1000 }, fakeClock());
    await appender.add('a');
    await assert.rejects(appender.add('b'), /disk full/);
    await assert.rejects(appender.add('c'), /disk full/);
    assert.equal(appender.pending, 2);
    fail = false;
    await appender.flush();
    assert.deepEqual(writes, ['a\nb\n']);
    await appender.add('d');
    await appender.flush();
    assert.deepEqual(writes, ['a\nb\n', 'd\n']);
  });
});
