/**
 * Is a dataset file a validation set? Every provider takes validation data as a file apart from
 * the training data — JumpStart's `validation` channel (`estimator.fit({"training": …,
 * "validation": …})`), OpenAI's `validation_file`, Bedrock's `validationDataConfig` — so TuneLab
 * recognises it by name: a file or folder called val, valid, validation, eval or dev
 * (`validation.jsonl`, `train.val.jsonl`, `data-valid.jsonl`, `validation/part-1.jsonl`).
 */
const VALIDATION_WORDS: ReadonlySet<string> = new Set(['val', 'valid', 'validation', 'eval', 'dev']);

/** The split a dataset at `path` (any separators) holds, judged by its file and folder names. */
export function splitOf(path: string): 'train' | 'validation' {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  const file = parts.pop() ?? '';
  const stem = file.replace(/\.jsonl?$/i, '');
  const words = stem.toLowerCase().split(/[._\- ]+/);
  if (words.some((w) => VALIDATION_WORDS.has(w))) return 'validation';
  const folder = parts.pop()?.toLowerCase();
  return folder !== undefined && VALIDATION_WORDS.has(folder) ? 'validation' : 'train';
}
