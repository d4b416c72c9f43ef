/**
 * Every rule TuneLab knows: the engine's own, the formats' and the content rules, with their
 * default severities. The README has one section per rule id; diagnostics link there.
 */
import { CONTENT_RULES } from '../rules/index';
import type { ContentRule, Json, RuleId, SeveritySetting } from './types';

export interface RuleInfo {
  readonly id: RuleId;
  readonly defaultSeverity: SeveritySetting;
  readonly description: string;
  /** JSON schema of the options object, for rules that take options. */
  readonly optionsSchema?: Readonly<Record<string, Json>>;
  readonly kind: 'syntax' | 'format' | 'duplicates' | 'content' | 'dataset';
}

const BUILT_IN: readonly RuleInfo[] = [
  { id: 'json-syntax', kind: 'syntax', defaultSeverity: 'error', description: 'A line that is not exactly one JSON object.' },
  // No provider documents blank lines. JumpStart's trainer reads .jsonl with Hugging Face datasets,
  // whose JSON reader (pyarrow.json.read_json) skips them (apache/arrow#35096), while recent datasets
  // versions json.loads each line of a file's first chunk and fail on an empty one
  // (huggingface/datasets, src/datasets/packaged_modules/json/json.py). OpenAI's and Bedrock's
  // guides ask for one JSON object per line.
  { id: 'blank-line', kind: 'syntax', defaultSeverity: 'warning', description: 'An empty or whitespace-only line. No provider documents them: Hugging Face datasets (JumpStart\'s loader) skips them in most versions but recent ones fail on one near the top; OpenAI and Bedrock ask for one JSON object per line.' },
  { id: 'duplicate-key', kind: 'syntax', defaultSeverity: 'warning', description: 'A property name repeated in one object (JSON.parse keeps only the last).' },
  // Always an error, whatever the configuration says (the engine ignores a severity set for it):
  // turned off, `tunelab lint` would pass rows that nobody checked.
  { id: 'unchecked', kind: 'syntax', defaultSeverity: 'error', description: 'A row (or the file) that a check could not finish, e.g. too large or too deeply nested for it: the check is named and its problems are unknown. Always an error; it cannot be turned off.' },
  { id: 'schema', kind: 'format', defaultSeverity: 'error', description: 'A record that does not have the shape of the dataset\'s format.' },
  { id: 'mixed-format', kind: 'format', defaultSeverity: 'error', description: 'A line in another format than the rest of the file.' },
  { id: 'role-order', kind: 'format', defaultSeverity: 'error', description: 'Chat turns out of order (system first, then user and assistant alternating).' },
  { id: 'missing-assistant', kind: 'format', defaultSeverity: 'error', description: 'A conversation without an assistant turn to learn from, or not ending with one.' },
  { id: 'non-string-content', kind: 'format', defaultSeverity: 'error', description: 'A text field holding a number, object or null instead of a string.' },
  { id: 'unused-field', kind: 'format', defaultSeverity: 'warning', description: 'A key the trainer never reads (e.g. one the JumpStart template does not name): harmless, but its text is not trained on.' },
  { id: 'duplicate', kind: 'duplicates', defaultSeverity: 'warning', description: 'A record identical to an earlier one (ignoring case, spacing and punctuation).' },
  { id: 'duplicate-prompt', kind: 'duplicates', defaultSeverity: 'warning', description: 'A prompt identical to an earlier one\'s, with a different answer.' },
  { id: 'near-duplicate', kind: 'duplicates', defaultSeverity: 'info', description: 'A prompt nearly identical to an earlier one (word-shingle Jaccard similarity at or above the threshold).' },
  // Dataset-level: reported on line 1, with the limits of core/limits/models.ts.
  { id: 'too-few-examples', kind: 'dataset', defaultSeverity: 'error', description: 'A training file with fewer examples than the provider accepts (OpenAI: 10; Bedrock: 32 for Claude 3 Haiku, 100 for Meta Llama).' },
  { id: 'too-many-examples', kind: 'dataset', defaultSeverity: 'error', description: 'A file with more records than the provider accepts (Bedrock: 10,000 training records, 1,000 validation records for Claude 3 Haiku).' },
  { id: 'file-too-large', kind: 'dataset', defaultSeverity: 'error', description: 'A file larger than the provider accepts (OpenAI: 512 MB per upload; Bedrock: 1 GB training and 100 MB validation files for Titan, 10 GB and 1 GB for Claude 3 Haiku).' },
  {
    id: 'small-validation', kind: 'dataset', defaultSeverity: 'warning',
    description: 'A validation file (named val, valid, validation, eval or dev, or in such a folder) with too few examples for its loss to mean anything.',
    optionsSchema: {
      type: 'object', additionalProperties: false,
      properties: { minExamples: { type: 'integer', minimum: 1, default: 30, description: 'The fewest examples a validation file should have.' } },
    },
  },
];

function contentInfo(rule: ContentRule): RuleInfo {
  return { id: rule.id, kind: 'content', defaultSeverity: rule.defaultSeverity, description: rule.description, optionsSchema: rule.optionsSchema };
}

export const RULES: readonly RuleInfo[] = [...BUILT_IN, ...CONTENT_RULES.map(contentInfo)];

const byId = new Map<string, RuleInfo>(RULES.map((r) => [r.id, r]));

export function ruleInfo(id: string): RuleInfo | undefined {
  return byId.get(id);
}

/** The README heading anchor of a rule's section (each rule's heading is its id). */
export function ruleAnchor(id: RuleId): string {
  return id;
}
