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
  readonly kind: 'syntax' | 'format' | 'duplicates' | 'content';
}

const BUILT_IN: readonly RuleInfo[] = [
  { id: 'json-syntax', kind: 'syntax', defaultSeverity: 'error', description: 'A line that is not exactly one JSON object.' },
  { id: 'blank-line', kind: 'syntax', defaultSeverity: 'error', description: 'An empty or whitespace-only line (JumpStart and OpenAI reject them).' },
  { id: 'duplicate-key', kind: 'syntax', defaultSeverity: 'warning', description: 'A property name repeated in one object (JSON.parse keeps only the last).' },
  { id: 'schema', kind: 'format', defaultSeverity: 'error', description: 'A record that does not have the shape of the dataset\'s format.' },
  { id: 'mixed-format', kind: 'format', defaultSeverity: 'error', description: 'A line in another format than the rest of the file.' },
  { id: 'role-order', kind: 'format', defaultSeverity: 'error', description: 'Chat turns out of order (system first, then user and assistant alternating).' },
  { id: 'missing-assistant', kind: 'format', defaultSeverity: 'error', description: 'A conversation without an assistant turn to learn from, or not ending with one.' },
  { id: 'non-string-content', kind: 'format', defaultSeverity: 'error', description: 'A text field holding a number, object or null instead of a string.' },
  { id: 'duplicate', kind: 'duplicates', defaultSeverity: 'warning', description: 'A record identical to an earlier one (ignoring case, spacing and punctuation).' },
  { id: 'duplicate-prompt', kind: 'duplicates', defaultSeverity: 'warning', description: 'A prompt identical to an earlier one\'s, with a different answer.' },
  { id: 'near-duplicate', kind: 'duplicates', defaultSeverity: 'info', description: 'A prompt nearly identical to an earlier one (word-shingle Jaccard similarity at or above the threshold).' },
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
