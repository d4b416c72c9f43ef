/**
 * Lint configuration: rule severities and options merged from layers (defaults, the project's
 * `tunelab.jsonc`, the user's settings, command-line flags), validated, with problems worded for
 * the user instead of thrown.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { FORMAT_IDS } from '../formats/index';
import { TARGET_MODEL_IDS, targetModelById } from '../limits/models';
import { CONTENT_RULES } from '../rules/index';
import { compileUserPattern } from '../rules/user-patterns';
import { RULES, ruleInfo, type RuleInfo } from './catalog';
import type { FormatId, Json, JsonObject, RuleId, RuleOptions, SeveritySetting } from './types';

export interface RuleSetting { readonly severity: SeveritySetting; readonly options: RuleOptions }
export type ResolvedRules = ReadonlyMap<RuleId, RuleSetting>;

export interface LintSettings {
  /** The dataset format, or 'auto' to detect it (template.json beside the file, else the majority of lines). */
  readonly format: FormatId | 'auto';
  readonly rules: ResolvedRules;
  /** Jaccard similarity of word shingles at or above which two prompts are near-duplicates. */
  readonly nearDuplicateThreshold: number;
  /**
   * The model the dataset is for (an id of core/limits/models.ts), where a format serves several:
   * it picks the token limit and the dataset limits. Undefined: the format's default model.
   */
  readonly targetModel?: string;
  /** Whether the file is a training or a validation set (see core/limits/split.ts); training when unset. */
  readonly split?: 'train' | 'validation';
}

export const SEVERITIES: readonly SeveritySetting[] = ['error', 'warning', 'info', 'hint', 'off'];
export const DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.8;

/** One layer of configuration and where it came from (named in problems). */
export interface ConfigLayer {
  readonly source: string;
  readonly format?: unknown;
  readonly rules?: unknown;
  readonly nearDuplicateThreshold?: unknown;
  readonly targetModel?: unknown;
}

export function defaultRules(): Map<RuleId, RuleSetting> {
  const rules = new Map<RuleId, RuleSetting>();
  const defaults = new Map<RuleId, RuleOptions>(CONTENT_RULES.map((r) => [r.id, r.defaultOptions]));
  for (const r of RULES) rules.set(r.id, { severity: r.defaultSeverity, options: defaults.get(r.id) ?? schemaDefaults(r.optionsSchema) });
  return rules;
}

/** The `default` of each option in an options schema (the engine's own rules keep their defaults there). */
function schemaDefaults(schema: RuleInfo['optionsSchema']): RuleOptions {
  const properties = schema?.properties;
  if (!isObject(properties)) return {};
  const out: Record<string, Json> = {};
  for (const [key, p] of Object.entries(properties)) if (isObject(p) && p.default !== undefined) out[key] = p.default;
  return out;
}

let ajv: Ajv | undefined;
const validators = new Map<RuleId, ValidateFunction>();

function optionsValidator(id: RuleId): ValidateFunction | undefined {
  const schema = ruleInfo(id)?.optionsSchema;
  if (schema === undefined) return undefined;
  let v = validators.get(id);
  if (v === undefined) {
    ajv ??= new Ajv({ allErrors: true, strict: false });
    v = ajv.compile(schema);
    validators.set(id, v);
  }
  return v;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSeverity(v: unknown): v is SeveritySetting {
  return typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v);
}

/** Merges the layers in order (later wins); invalid entries are skipped and reported. */
export function resolveSettings(layers: readonly ConfigLayer[]): { settings: LintSettings; problems: string[] } {
  const problems: string[] = [];
  const rules = defaultRules();
  let format: FormatId | 'auto' = 'auto';
  let threshold = DEFAULT_NEAR_DUPLICATE_THRESHOLD;
  let targetModel: string | undefined;
  for (const layer of layers) {
    if (layer.targetModel !== undefined) {
      const m = layer.targetModel;
      if (m === 'auto') targetModel = undefined;
      else if (typeof m === 'string' && targetModelById(m) !== undefined) targetModel = m;
      else problems.push(`${layer.source}: unknown target model ${JSON.stringify(m)}; use "auto" (the format's default) or one of ${TARGET_MODEL_IDS.join(', ')}.`);
    }
    if (layer.format !== undefined) {
      if (layer.format === 'auto' || (typeof layer.format === 'string' && (FORMAT_IDS as readonly string[]).includes(layer.format))) {
        format = layer.format as FormatId | 'auto';
      } else {
        problems.push(`${layer.source}: unknown dataset format ${JSON.stringify(layer.format)}; use "auto" or one of ${FORMAT_IDS.join(', ')}.`);
      }
    }
    if (layer.nearDuplicateThreshold !== undefined) {
      const t = layer.nearDuplicateThreshold;
      if (typeof t === 'number' && t > 0 && t <= 1) threshold = t;
      else problems.push(`${layer.source}: the near-duplicate threshold must be a number above 0 and at most 1 (got ${JSON.stringify(t)}).`);
    }
    if (layer.rules !== undefined) mergeRules(rules, layer.rules, layer.source, problems);
  }
  const settings: LintSettings = { format, rules, nearDuplicateThreshold: threshold, ...(targetModel === undefined ? {} : { targetModel }) };
  return { settings, problems };
}

function mergeRules(rules: Map<RuleId, RuleSetting>, raw: unknown, source: string, problems: string[]): void {
  if (!isObject(raw)) {
    problems.push(`${source}: "rules" must be an object of rule id → severity, e.g. { "pii": "error" }.`);
    return;
  }
  for (const [id, value] of Object.entries(raw)) {
    const info = ruleInfo(id);
    const current = rules.get(id as RuleId);
    if (info === undefined || current === undefined) {
      problems.push(`${source}: unknown rule "${id}"; the rules are ${RULES.map((r) => r.id).join(', ')}.`);
      continue;
    }
    if (info.id === 'unchecked') {
      problems.push(`${source}: ${UNCHECKED_IS_FIXED} Remove "unchecked" from the rules.`);
      continue;
    }
    if (isSeverity(value)) {
      rules.set(info.id, { ...current, severity: value });
      continue;
    }
    if (!isObject(value)) {
      problems.push(`${source}: rule "${id}" takes a severity (${SEVERITIES.join(', ')}) or { "severity": …, "options": { … } }.`);
      continue;
    }
    let severity = current.severity;
    if (value.severity !== undefined) {
      if (isSeverity(value.severity)) severity = value.severity;
      else problems.push(`${source}: rule "${id}": severity must be one of ${SEVERITIES.join(', ')}.`);
    }
    let options = current.options;
    if (value.options !== undefined) {
      const merged = isObject(value.options) ? { ...current.options, ...value.options } : undefined;
      const validate = optionsValidator(info.id);
      if (merged === undefined || validate === undefined) {
        problems.push(`${source}: rule "${id}" ${validate === undefined ? 'takes no options' : 'options must be an object'}.`);
      } else if (!validate(merged)) {
        const detail = (validate.errors ?? []).map((e) => `${e.instancePath || 'options'} ${e.message ?? 'is invalid'}`).join('; ');
        problems.push(`${source}: rule "${id}" options are invalid (${detail}); the defaults are used.`);
      } else {
        options = usablePatterns(info.id, merged, source, problems);
      }
    }
    for (const key of Object.keys(value)) {
      if (key !== 'severity' && key !== 'options') problems.push(`${source}: rule "${id}": unknown key "${key}" (use "severity" and "options").`);
    }
    rules.set(info.id, { severity, options });
  }
}

/**
 * The options with the placeholder patterns RE2 cannot run left out, each reported by name with
 * the reason (core/rules/user-patterns.ts); the rule itself cannot report its configuration.
 */
function usablePatterns(id: RuleId, options: RuleOptions, source: string, problems: string[]): RuleOptions {
  const patterns = options.patterns;
  if (id !== 'unfilled-placeholder' || !Array.isArray(patterns)) return options;
  const usable: Json[] = [];
  for (const p of patterns) {
    if (typeof p !== 'string') continue;
    const compiled = compileUserPattern(p);
    if (compiled.ok) usable.push(p);
    else problems.push(`${source}: rule "${id}": the pattern ${JSON.stringify(p)} ${compiled.reason}; it is skipped.`);
  }
  return usable.length === patterns.length ? options : { ...options, patterns: usable };
}

/**
 * Rule options a workspace may not supply while it is untrusted: regular expressions, the one
 * kind of configuration that runs as code in the lint. A cloned repository's tunelab.jsonc or
 * .vscode/settings.json must not be able to choose what runs in Restricted Mode.
 */
const WORKSPACE_RESTRICTED_OPTIONS: readonly (readonly [RuleId, string])[] = [['unfilled-placeholder', 'patterns']];

/**
 * The layers to lint with: in Restricted Mode (`trusted` false) the layers a workspace supplied
 * lose the restricted options and keep the rest (severities, ignore lists); `ignored` names the
 * layers that lost some, for the notice. Trusted, the layers are used as they are.
 */
export function untrustedLayers(layers: readonly { readonly layer: ConfigLayer; readonly workspace: boolean }[], trusted: boolean): { layers: ConfigLayer[]; ignored: string[] } {
  const ignored: string[] = [];
  const out = layers.map(({ layer, workspace }) => {
    if (trusted || !workspace || !isObject(layer.rules)) return layer;
    let rules: JsonObject | undefined;
    for (const [id, key] of WORKSPACE_RESTRICTED_OPTIONS) {
      const rule = (rules ?? layer.rules)[id];
      if (!isObject(rule) || !isObject(rule.options) || !(key in rule.options)) continue;
      const options = Object.fromEntries(Object.entries(rule.options).filter(([k]) => k !== key));
      rules = { ...(rules ?? layer.rules), [id]: { ...rule, options } };
    }
    if (rules === undefined) return layer;
    ignored.push(layer.source);
    return { ...layer, rules };
  });
  return { layers: out, ignored };
}

/** What the editor says, once, when Restricted Mode left out a workspace's patterns (`ignored`: where they were). */
export function restrictedNotice(ignored: readonly string[]): string {
  const where = ignored.length <= 1 ? ignored.join('') : `${ignored.slice(0, -1).join(', ')} and ${ignored[ignored.length - 1] ?? ''}`;
  return `Restricted Mode: the unfilled-placeholder patterns in ${where} are not run until you trust this workspace (the built-in placeholder checks still run). Trust it with "Manage Workspace Trust" to use them.`;
}

/** Parses the text of a project `tunelab.jsonc` (comments and trailing commas allowed). */
export function parseProjectConfig(text: string, source = 'tunelab.jsonc'): { layer: ConfigLayer; problems: string[] } {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  const problems = errors.slice(0, 3).map((e) => `${source}: ${printParseErrorCode(e.error)} at offset ${e.offset}; fix the file's syntax (comments and trailing commas are fine).`);
  if (!isObject(value)) {
    if (errors.length === 0) problems.push(`${source}: the file must hold one object, e.g. { "rules": { "pii": "error" } }.`);
    return { layer: { source }, problems };
  }
  const known = new Set(['$schema', 'format', 'targetModel', 'rules', 'nearDuplicateThreshold']);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) problems.push(`${source}: unknown key "${key}"; the keys are format, targetModel, rules and nearDuplicateThreshold.`);
  }
  return { layer: { source, format: value.format, targetModel: value.targetModel, rules: value.rules, nearDuplicateThreshold: value.nearDuplicateThreshold }, problems };
}

/** The JSON schema of `tunelab.jsonc` and of the `tunelab.lint.rules` setting's values, built from the rule catalog. */
/** Why `unchecked` takes no setting (the config, the CLI's --rule and the schemas all say so). */
export const UNCHECKED_IS_FIXED = 'the rule "unchecked" cannot be changed: a row a check could not finish is always an error, so nothing passes unchecked.';

export function rulesSchema(): JsonObject {
  const properties: JsonObject = {};
  for (const r of RULES) {
    // Not settable: the schema leaves it out, so an editor marks it as it marks an unknown key.
    if (r.id === 'unchecked') continue;
    const severity: JsonObject = { enum: [...SEVERITIES], description: `Severity (default ${r.defaultSeverity}).` };
    const objectForm: JsonObject = { type: 'object', additionalProperties: false, properties: { severity } };
    if (r.optionsSchema !== undefined) {
      (objectForm.properties as JsonObject).options = r.optionsSchema;
    }
    properties[r.id] = { description: r.description, anyOf: [severity, objectForm] };
  }
  return { type: 'object', additionalProperties: false, properties };
}

export function projectConfigSchema(): JsonObject {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'TuneLab project configuration',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      format: {
        description: 'The dataset format of the workspace\'s JSONL files; "auto" detects it (template.json beside the file, else the format most lines match).',
        enum: ['auto', ...FORMAT_IDS],
        default: 'auto',
      },
      targetModel: {
        description: 'The model the datasets are fine-tuned for, where a format serves several: it sets too-long\'s token limit and the dataset limits (examples, file size). "auto" uses the format\'s default (JumpStart Llama 3, gpt-4o-mini, Titan Text Express, Meta Llama 3.1 on Bedrock, Claude 3 Haiku, TRL).',
        enum: ['auto', ...TARGET_MODEL_IDS],
        default: 'auto',
      },
      nearDuplicateThreshold: {
        description: 'Word-shingle Jaccard similarity at or above which two prompts are near-duplicates.',
        type: 'number', exclusiveMinimum: 0, maximum: 1, default: DEFAULT_NEAR_DUPLICATE_THRESHOLD,
      },
      rules: { description: 'Rule severities and options, by rule id.', ...rulesSchema() },
    },
  };
}
