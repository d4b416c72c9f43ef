import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SidecarStore, type SidecarFiles, type SidecarFormat } from '../../src/core/sidecarStore';
import { hasConflictMarkers } from '../../src/core/sidecar';

/** A file system in memory, with the writes it saw; a path in `broken` fails to read or write. */
function memoryFiles(initial: Record<string, string> = {}): SidecarFiles & { files: Map<string, string>; writes: string[]; failReads: Set<string>; failWrites: Set<string> } {
  const files = new Map(Object.entries(initial));
  const writes: string[] = [];
  const failReads = new Set<string>();
  const failWrites = new Set<string>();
  return {
    files, writes, failReads, failWrites,
    async read(path) {
      await Promise.resolve();
      if (failReads.has(path)) throw new Error('EACCES: permission denied');
      return files.get(path);
    },
    async write(path, text) {
      // A tick between read and write, where an interleaved update would slip in.
      await new Promise((r) => setTimeout(r, 1));
      if (failWrites.has(path)) throw new Error('ENOSPC: no space left on device');
      files.set(path, text);
      writes.push(path);
    },
  };
}

/** A list of tags, as a small stand-in for provenance, verdicts or scores. */
const tags: SidecarFormat<string[]> = {
  kind: 'tags',
  parse(text) {
    if (text === undefined) return { value: [] };
    if (hasConflictMarkers(text)) return { value: [], unreadable: { reason: 'has merge conflict markers', fix: 'Resolve the conflict' } };
    try {
      const value: unknown = JSON.parse(text);
      if (!Array.isArray(value)) return { value: [], unreadable: { reason: 'is not a list', fix: 'Fix it' } };
      const strings = value.filter((v): v is string => typeof v === 'string');
      return { value: strings, problem: strings.length < value.length ? `${value.length - strings.length} entries skipped` : undefined };
    } catch (e) {
      return { value: [], unreadable: { reason: `is not valid JSON (${String(e)})`, fix: 'Fix the JSON' } };
    }
  },
  serialize: (value) => JSON.stringify(value),
};

const SIDECAR = 'work/.tunelab/data.jsonl.tags.json';

void describe('sidecar store', () => {
  void it('puts a sidecar beside its file, named for its kind', () => {
    const store = new SidecarStore(memoryFiles());
    assert.equal(store.pathFor('work/data.jsonl', tags), SIDECAR);
    assert.equal(store.pathFor('file:///home/me/data.jsonl', tags), 'file:///home/me/.tunelab/data.jsonl.tags.json');
  });

  void it('reads a missing sidecar as empty, and says what was skipped in a readable one', async () => {
    const files = memoryFiles();
    const store = new SidecarStore(files);
    assert.deepEqual(await store.read('work/data.jsonl', tags), { ok: true, path: SIDECAR, value: [], problem: undefined, exists: false });
    files.files.set(SIDECAR, '["a", 1]');
    assert.deepEqual(await store.read('work/data.jsonl', tags), { ok: true, path: SIDECAR, value: ['a'], problem: '1 entries skipped', exists: true });
  });

  void it('never writes over a sidecar it cannot read whole, and says why', async () => {
    const conflicted = '<<<<<<< ours\n["a"]\n=======\n["b"]\n>>>>>>> theirs\n';
    const files = memoryFiles({ [SIDECAR]: conflicted });
    const store = new SidecarStore(files);
    const update = await store.update('work/data.jsonl', tags, (t) => [...t, 'c']);
    assert.deepEqual(update, { ok: false, path: SIDECAR, unreadable: { reason: 'has merge conflict markers', fix: 'Resolve the conflict' } });
    assert.equal(files.files.get(SIDECAR), conflicted);
    assert.deepEqual(files.writes, []);
  });

  void it('shows what could be read of a sidecar it cannot read whole, and what the file system threw for one it cannot read at all', async () => {
    const files = memoryFiles({ [SIDECAR]: '{"not": "a list"}' });
    const store = new SidecarStore(files);
    const partly = await store.read('work/data.jsonl', { ...tags, parse: (text) => ({ ...tags.parse(text), value: ['what could be read'], problem: 'some was skipped' }) });
    assert.deepEqual(partly, { ok: false, path: SIDECAR, unreadable: { reason: 'is not a list', fix: 'Fix it' }, partial: { value: ['what could be read'], problem: 'some was skipped' } });
    files.failReads.add(SIDECAR);
    const failed = await store.read('work/data.jsonl', tags);
    assert.ok(!failed.ok);
    assert.equal(failed.partial, undefined);
    assert.match(String(failed.error), /EACCES/);
  });

  void it('treats a file it cannot read at all as unreadable, and leaves it', async () => {
    const files = memoryFiles({ [SIDECAR]: '["a"]' });
    files.failReads.add(SIDECAR);
    const store = new SidecarStore(files);
    const update = await store.update('work/data.jsonl', tags, (t) => [...t, 'b']);
    assert.ok(!update.ok);
    assert.match(update.unreadable.reason, /^could not be read \(EACCES/);
    assert.deepEqual(files.writes, []);
  });

  void it('gives what could be read of an unreadable sidecar to show, and still never writes over it', async () => {
    // Strings are kept, anything else makes the sidecar unreadable: a damaged entry among good ones.
    const strict: SidecarFormat<string[]> = {
      ...tags,
      parse(text) {
        const read = tags.parse(text);
        const all: unknown = text === undefined ? [] : JSON.parse(text);
        return Array.isArray(all) && all.length > read.value.length ? { value: read.value, unreadable: { reason: 'has an entry that is not a string', fix: 'Fix it' } } : read;
      },
    };
    const files = memoryFiles({ [SIDECAR]: '["a", 1]' });
    files.failReads.add('work/.tunelab/gone.jsonl.tags.json');
    const store = new SidecarStore(files);
    assert.deepEqual(await store.read('work/data.jsonl', strict), { ok: false, path: SIDECAR, unreadable: { reason: 'has an entry that is not a string', fix: 'Fix it' }, partial: { value: ['a'], problem: undefined } });
    const update = await store.update('work/data.jsonl', strict, (t) => [...t, 'b']);
    assert.deepEqual(update, { ok: false, path: SIDECAR, unreadable: { reason: 'has an entry that is not a string', fix: 'Fix it' } });
    assert.deepEqual(files.writes, []);
    const gone = await store.read('work/gone.jsonl', strict);
    assert.ok(!gone.ok);
    assert.equal(gone.partial, undefined, 'a file that cannot be read at all has no readable part');
  });

  void it('changes what is on disk now, keeping what another tool wrote since it was read', async () => {
    const files = memoryFiles({ [SIDECAR]: '["a"]' });
    const store = new SidecarStore(files);
    assert.deepEqual((await store.read('work/data.jsonl', tags)).ok, true);
    files.files.set(SIDECAR, '["a","from-the-cli"]');
    const update = await store.update('work/data.jsonl', tags, (t) => [...t, 'b']);
    assert.deepEqual(update, { ok: true, path: SIDECAR, value: ['a', 'from-the-cli', 'b'] });
    assert.equal(files.files.get(SIDECAR), '["a","from-the-cli","b"]');
  });

  void it('runs updates of one sidecar one after another, so none is lost', async () => {
    const files = memoryFiles();
    const store = new SidecarStore(files);
    await Promise.all(['a', 'b', 'c', 'd'].map((tag) => store.update('work/data.jsonl', tags, (t) => [...t, tag])));
    assert.deepEqual(JSON.parse(files.files.get(SIDECAR) ?? ''), ['a', 'b', 'c', 'd']);
  });

  void it('keeps going after an update whose change throws', async () => {
    const files = memoryFiles();
    const store = new SidecarStore(files);
    const failed = store.update('work/data.jsonl', tags, () => { throw new Error('bad change'); });
    const next = store.update('work/data.jsonl', tags, (t) => [...t, 'after']);
    await assert.rejects(failed, /bad change/);
    assert.deepEqual(await next, { ok: true, path: SIDECAR, value: ['after'] });
  });

  void it('reports a failed write and leaves the file as it was', async () => {
    const files = memoryFiles({ [SIDECAR]: '["a"]' });
    files.failWrites.add(SIDECAR);
    const store = new SidecarStore(files);
    const update = await store.update('work/data.jsonl', tags, (t) => [...t, 'b']);
    assert.deepEqual(update, { ok: false, path: SIDECAR, unreadable: { reason: 'could not be written (ENOSPC: no space left on device)', fix: 'Check the folder and its permissions' } });
    assert.equal(files.files.get(SIDECAR), '["a"]');
  });

  void it('tells its own writes from other tools\' changes', async () => {
    const files = memoryFiles();
    const store = new SidecarStore(files);
    assert.equal(await store.changedByOthers(SIDECAR), true, 'never written by this store');
    await store.update('work/data.jsonl', tags, (t) => [...t, 'a']);
    assert.equal(await store.changedByOthers(SIDECAR), false, 'its own write');
    files.files.set(SIDECAR, '["a","b"]');
    assert.equal(await store.changedByOthers(SIDECAR), true, 'another tool wrote it');
  });

  void it('still knows an earlier write of its own when a watcher reports it late', async () => {
    const files = memoryFiles();
    const store = new SidecarStore(files);
    await store.update('work/data.jsonl', tags, (t) => [...t, 'first']);
    const first = files.files.get(SIDECAR);
    await store.update('work/data.jsonl', tags, (t) => [...t, 'second']);
    // The event for the first write is read while the file still holds it (the second not yet landed).
    files.files.set(SIDECAR, first ?? '');
    assert.equal(await store.changedByOthers(SIDECAR), false, 'the first write is its own too');
    files.files.delete(SIDECAR);
    assert.equal(await store.changedByOthers(SIDECAR), true, 'a deleted sidecar is another tool\'s doing');
  });
});
