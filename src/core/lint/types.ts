/**
 * The shared vocabulary of dataset linting: findings, fixes, record views, formats and rules.
 *
 * Pure types. Lines are 0-based; columns are 0-based UTF-16 offsets within a line's text (what
 * VS Code uses), never counting the line break.
 */

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

/** A JSON value as `JSON.parse` returns it. */
export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject { [key: string]: Json }

/** A path into a record, e.g. `['messages', 2, 'content']`. */
export type JsonPath = readonly (string | number)[];

/** A replacement within one line: columns `[start, end)` of that line's text become `text`. */
export interface LineEdit { readonly start: number; readonly end: number; readonly text: string }

/**
 * A fix for one finding. `edits` change text within the finding's line (non-overlapping);
 * without edits, the fix deletes the whole line, line break included.
 */
export interface Fix { readonly title: string; readonly edits?: readonly LineEdit[] }

/** What a format or rule reports about one line, before the engine adds the line and severity. */
export interface Issue {
  readonly rule: RuleId;
  readonly start: number;
  readonly end: number;
  /** Says what is wrong and what to do, in one or two sentences. */
  readonly message: string;
  readonly fix?: Fix;
}

export interface RelatedLine { readonly line: number; readonly start: number; readonly end: number; readonly message: string }

export interface Finding extends Issue {
  readonly line: number;
  readonly severity: Severity;
  /** Other places the finding is about, e.g. the first copy of a duplicate. */
  readonly related?: readonly RelatedLine[];
}

/**
 * Where values sit in one line's text. Built lazily by the engine (it parses the line a second
 * time with positions only when someone asks), so checks that find nothing cost nothing.
 */
export interface LineLocator {
  /** The line's text. */
  readonly text: string;
  /**
   * The columns of the value at `path` (for a string, including its quotes). Falls back to the
   * nearest existing ancestor (the whole line at worst) when the path does not exist.
   */
  valueRange(path: JsonPath): { start: number; end: number };
  /** The columns of the property *name* at the end of `path` (with quotes); falls back like `valueRange`. */
  keyRange(path: JsonPath): { start: number; end: number };
  /**
   * The columns in the line of the characters `[from, to)` of the *decoded* string at `path`
   * (escapes such as `\n` or `\u00e9` map back to their raw text). Falls back to `valueRange`.
   */
  stringRange(path: JsonPath, from: number, to: number): { start: number; end: number };
}

// ---------------------------------------------------------------------------------------------
// Formats

export type FormatId =
  | 'jumpstart-instruction'
  | 'jumpstart-chat'
  | 'openai-chat'
  | 'openai-dpo'
  | 'alpaca'
  | 'sharegpt'
  | 'bedrock-prompt'
  | 'bedrock-conversation'
  | 'text'
  | 'openai-rft'
  | 'bedrock-haiku'
  | 'nova'
  | 'trl-sft'
  | 'trl-preference'
  | 'vertex-gemini';

/** What the formats need to know about the dataset's surroundings. */
export interface FormatContext {
  /**
   * The field names a JumpStart instruction dataset must have: the placeholders of the
   * `template.json` beside it (`{instruction}`, `{context}`, `{response}` …), or undefined for
   * the default `instruction` / `context` / `response`.
   */
  readonly templateKeys?: readonly string[];
  /** Of `templateKeys`, the ones in the template's `completion` (the answer side). */
  readonly completionKeys?: readonly string[];
  /**
   * The `template.json` beside the dataset (its `prompt` and `completion` strings), which the
   * trainer fills with each record: its text counts towards the record's tokens. Undefined for
   * JumpStart's built-in template.
   */
  readonly template?: { readonly prompt: string; readonly completion: string };
}

/** What a text field is to the trainer. */
export type FieldRole = 'system' | 'prompt' | 'context' | 'answer' | 'rejected' | 'text' | 'other';

export interface TextField { readonly path: JsonPath; readonly role: FieldRole; readonly text: string }

/** A record seen through its format: the strings the trainer reads, labelled. */
export interface RecordView {
  readonly format: FormatId;
  /** Every string field the trainer reads, in document order (an empty string is still listed). */
  readonly fields: readonly TextField[];
  /**
   * What the model is asked (the user side, e.g. instruction + context, or the user turns),
   * used for prompt-side duplicates. Empty when the record has none (e.g. `text`).
   */
  readonly prompt: string;
}

export interface FormatModule {
  readonly id: FormatId;
  /** Shown in the status bar and pickers, e.g. "JumpStart instruction". */
  readonly label: string;
  /** One line: what the format is and who uses it. */
  readonly description: string;
  /**
   * A cheap structural test on a parsed line: does it have this format's distinguishing shape
   * (its keys, and for chat formats the shape of the turns)? Used for detection and for
   * `mixed-format`; it must not throw on any JSON object.
   */
  matches(record: JsonObject, ctx: FormatContext): boolean;
  /**
   * The full check of a record against the format: its JSON schema (ajv) and its structure.
   * Issues use the rule ids `schema`, `role-order`, `missing-assistant`, `non-string-content`
   * and `unused-field`.
   */
  check(record: JsonObject, at: LineLocator, ctx: FormatContext): Issue[];
  /** The record's text fields; best effort on a record that fails `check` (never throws). */
  view(record: JsonObject, ctx: FormatContext): RecordView;
}

// ---------------------------------------------------------------------------------------------
// Rules

export type RuleId =
  // the engine's
  | 'json-syntax'
  | 'blank-line'
  | 'duplicate-key'
  | 'mixed-format'
  | 'duplicate'
  | 'duplicate-prompt'
  | 'near-duplicate'
  // the formats'
  | 'schema'
  | 'role-order'
  | 'missing-assistant'
  | 'non-string-content'
  | 'unused-field'
  // content rules
  | 'leaked-header'
  | 'empty-field'
  | 'unfilled-placeholder'
  | 'pii'
  | 'too-long'
  | 'too-short'
  // dataset-level (reported on line 1)
  | 'too-few-examples'
  | 'too-many-examples'
  | 'file-too-large'
  | 'small-validation'
  // the engine's, when a check threw: the row (or file) was not fully checked
  | 'unchecked';

/** Counts tokens the way a model family's tokenizer does. Synchronous once loaded. */
export interface TokenCounter {
  count(text: string, family: TokenizerFamily): number;
}
export type TokenizerFamily = 'llama3' | 'o200k';

/** A rule's options: plain JSON, validated against the rule's `optionsSchema` before use. */
export type RuleOptions = Readonly<Record<string, Json>>;

export interface RuleEnv {
  /** Present once the host has loaded a tokenizer; a rule that needs one and lacks it says so through `needsTokens`. */
  readonly tokens: TokenCounter | undefined;
  /** Called by a rule that would have counted tokens but had no counter; the engine then loads one and re-runs. */
  needsTokens(): void;
  /** The dataset's surroundings (its template.json), for rules that measure what the trainer builds. */
  readonly context?: FormatContext;
  /** The model the dataset is for (`targetModel`), where a format serves several; see core/limits/models.ts. */
  readonly targetModel?: string | undefined;
}

export interface ContentRule {
  readonly id: RuleId;
  readonly defaultSeverity: SeveritySetting;
  /** One line for docs and the settings schema. */
  readonly description: string;
  /** JSON schema (draft-07) of the options object; every option has a default. */
  readonly optionsSchema: Readonly<Record<string, Json>>;
  readonly defaultOptions: RuleOptions;
  check(view: RecordView, at: LineLocator, options: RuleOptions, env: RuleEnv): Issue[];
}
