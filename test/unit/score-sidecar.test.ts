import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SidecarStore, type SidecarFiles } from '../../src/core/sidecarStore';
import { readScoreCache, scoresSidecar, writeScoreCache, type CachedScore, type ScoreSetup } from '../../src/core/judge/score';

function memoryFiles(initial: Record<string, string> = {}): SidecarFiles & { files: Map<string, string> } {
  const files = new Map(Object.entries(initial));
  return {
    files,
    read: (path) => Promise.resolve(files.get(path)),
    write: (path, text) => { files.set(path, text); return Promise.resolve(); },
  };
}

const DATASET = 'work/train.jsonl';
const SIDECAR = 'work/.tunelab/train.jsonl.scores.json';
const KEY_A = '0123456789abcdef';
const KEY_B = 'fedcba9876543210';
const setup: ScoreSetup = { judge: 'judge/model', endpoint: 'judge', rubricName: 'default', rubric: 'Rate it.' };

void describe('the scores sidecar', () => {
  void it('is named for its kind beside the dataset, as scoresPathFor names it', () => {
    assert.equal(new SidecarStore(memoryFiles()).pathFor(DATASET, scoresSidecar), SIDECAR);
  });

  void it('reads and writes what readScoreCache and writeScoreCache do', () => {
    const scores = new Map<string, CachedScore>([[KEY_A, { score: 7, reasoning: 'Good.' }]]);
    const text = writeScoreCache(scores, setup);
    assert.equal(scoresSidecar.serialize({ scores, setup }), text);
    const parsed = scoresSidecar.parse(text);
    assert.equal(parsed.unreadable, undefined);
    assert.deepEqual([...parsed.value.scores], [...readScoreCache(text).scores]);
    assert.deepEqual(parsed.value.setup, setup);
    assert.deepEqual([...scoresSidecar.parse(undefined).value.scores], []);
  });

  void it('refuses a file none of which could be read, with readScoreCache\'s sentence and no separate fix', () => {
    const conflicted = '<<<<<<< ours\n{}\n=======\n{}\n>>>>>>> theirs\n';
    const parsed = scoresSidecar.parse(conflicted);
    assert.deepEqual(parsed.unreadable, { reason: readScoreCache(conflicted).problem, fix: '' });
    // Every entry damaged: writing over it would lose them, so it is refused too.
    const damaged = JSON.stringify({ version: 1, scores: { [KEY_A]: { score: 11, reasoning: 'x' } } });
    assert.match(scoresSidecar.parse(damaged).unreadable?.reason ?? '', /^1 entry of the score cache could not be read/);
  });

  void it('reads a file with some damaged entries, saying what was skipped', () => {
    const text = JSON.stringify({ version: 1, scores: { [KEY_A]: { score: 4, reasoning: 'x' }, [KEY_B]: { score: 'high' } } });
    const parsed = scoresSidecar.parse(text);
    assert.equal(parsed.unreadable, undefined);
    assert.equal(parsed.value.scores.size, 1);
    assert.match(parsed.problem ?? '', /^1 entry of the score cache could not be read/);
  });

  void it('merges through the store with what another tool wrote meanwhile, and never writes over an unreadable file', async () => {
    const files = memoryFiles({ [SIDECAR]: writeScoreCache(new Map([[KEY_B, { score: 3, reasoning: 'theirs' }]])) });
    const store = new SidecarStore(files);
    const ours = new Map<string, CachedScore>([[KEY_A, { score: 8, reasoning: 'ours' }]]);
    const update = await store.update(DATASET, scoresSidecar, (disk) => ({ scores: new Map([...disk.scores, ...ours]), setup }));
    assert.equal(update.ok, true);
    const read = readScoreCache(files.files.get(SIDECAR));
    assert.deepEqual([...read.scores.keys()].sort(), [KEY_A, KEY_B]);
    assert.deepEqual(read.setup, setup);

    files.files.set(SIDECAR, 'not json');
    const refused = await store.update(DATASET, scoresSidecar, () => ({ scores: ours }));
    assert.equal(refused.ok, false);
    assert.equal(files.files.get(SIDECAR), 'not json');
  });
});
