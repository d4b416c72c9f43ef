/**
 * The arguments of `tunelab lint`, parsed and validated. Every mistake becomes one message that
 * says what was wrong and what to write instead; the caller prints it and exits with 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RULES, ruleInfo } from '../core/lint/catalog';
import { SEVERITIES, UNCHECKED_IS_FIXED } from '../core/lint/config';
import type { FormatId, RuleId, SeveritySetting } from '../core/lint/types';
import { FORMAT_IDS } from '../core/formats/index';
import type { CliIo } from './cli';

export const OUTPUT_FORMATS = ['text', 'json', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface LintArgs {
  readonly files: readonly string[];
  readonly output: OutputFormat;
  /** The most warnings allowed before the exit code is 1; undefined for no limit. */
  readonly maxWarnings: number | undefined;
  /** `--rule id=severity` flags, in order (a later one wins). */
  readonly rules: readonly (readonly [RuleId, SeveritySetting])[];
  readonly datasetFormat: FormatId | 'auto' | undefined;
  readonly nearDuplicates: boolean;
  readonly config: string | undefined;
}

/** A command's arguments read: `--help`, a usage error, or a run of that command with its checked arguments. */
export type ParsedCommand<Kind extends string, Args> =
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: Kind; readonly args: Args };

export type ParsedLintArgs = ParsedCommand<'lint', LintArgs>;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  format: { type: 'string' },
  'max-warnings': { type: 'string' },
  rule: { type: 'string', multiple: true },
  'dataset-format': { type: 'string' },
  'no-near-duplicates': { type: 'boolean' },
  config: { type: 'string' },
} as const;

function isOneOf<T extends string>(value: string, list: readonly T[]): value is T {
  return (list as readonly string[]).includes(value);
}

/** Parses one `--rule` value, `id=severity`. */
export function parseRuleFlag(value: string): { rule: readonly [RuleId, SeveritySetting] } | { error: string } {
  const eq = value.indexOf('=');
  if (eq < 0) return { error: `--rule takes id=severity, e.g. --rule pii=error (got '${value}').` };
  const id = value.slice(0, eq).trim();
  const severity = value.slice(eq + 1).trim();
  const info = ruleInfo(id);
  if (info === undefined) return { error: `--rule ${value}: unknown rule '${id}'. The rules are ${RULES.map((r) => r.id).join(', ')}.` };
  if (info.id === 'unchecked') return { error: `--rule ${value}: ${UNCHECKED_IS_FIXED}` };
  if (!isOneOf(severity, SEVERITIES)) {
    return { error: `--rule ${value}: unknown severity '${severity}'. Use one of ${SEVERITIES.join(', ')}.` };
  }
  return { rule: [info.id, severity] };
}

/** Parses the arguments after `lint`. */
export function parseLintArgs(argv: readonly string[]): ParsedLintArgs {
  const read = readCommandLine(argv, OPTIONS);
  if (read.kind !== 'read') return read;
  const { values, positionals } = read.line;

  const output = values.format ?? 'text';
  if (!isOneOf(output, OUTPUT_FORMATS)) {
    return { kind: 'error', message: `--format ${output}: unknown output format. Use text, json or sarif (for the dataset's format, use --dataset-format).` };
  }

  let maxWarnings: number | undefined;
  const mw = values['max-warnings'];
  if (mw !== undefined) {
    if (!/^\d+$/.test(mw.trim())) return { kind: 'error', message: `--max-warnings takes a whole number of 0 or more, e.g. --max-warnings 0 (got '${mw}').` };
    maxWarnings = Number(mw.trim());
  }

  const rules: (readonly [RuleId, SeveritySetting])[] = [];
  for (const value of values.rule ?? []) {
    const r = parseRuleFlag(value);
    if ('error' in r) return { kind: 'error', message: r.error };
    rules.push(r.rule);
  }

  const df = values['dataset-format'];
  if (df !== undefined && df !== 'auto' && !isOneOf(df, FORMAT_IDS)) {
    return { kind: 'error', message: `--dataset-format ${df}: unknown dataset format. Use auto or one of ${FORMAT_IDS.join(', ')}.` };
  }

  if (values.config === '') return { kind: 'error', message: '--config takes the path of a tunelab.jsonc file.' };
  if (positionals.length === 0) {
    return { kind: 'error', message: 'no files to lint. Name the dataset files, e.g. tunelab lint data/train.jsonl.' };
  }
  return {
    kind: 'lint',
    args: {
      files: positionals,
      output,
      maxWarnings,
      rules,
      datasetFormat: df,
      nearDuplicates: values['no-near-duplicates'] !== true,
      config: values.config,
    },
  };
}

/** Every command's options: `--help` and its own. */
type CommandOptions = { readonly help: { readonly type: 'boolean'; readonly short: 'h' } } & NonNullable<ParseArgsConfig['options']>;

/** A command's arguments as node's parseArgs reads them: its values and the words that are no option. */
export type CommandLine<T extends CommandOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>>;

/**
 * Reads a command's arguments strictly (an unknown option is an error), the same way for every
 * command: `help` when `--help` is among them, the parser's complaint worded for the user, else
 * the values for the command to check.
 */
export function readCommandLine<T extends CommandOptions>(argv: readonly string[], options: T):
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'read'; readonly line: CommandLine<T> } {
  let line: CommandLine<T>;
  try {
    line = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    return { kind: 'error', message: parseError(e) };
  }
  if ((line.values as { help?: boolean }).help === true) return { kind: 'help' };
  return { kind: 'read', line };
}

/**
 * What a command does when its arguments are no run: prints its help (exit 0), or says what is
 * wrong and how to see the options (exit 2, the usage error code).
 */
export function helpOrUsageError(command: string, parsed: { readonly kind: 'help' } | { readonly kind: 'error'; readonly message: string }, help: string, io: Pick<CliIo, 'out' | 'err'>): number {
  if (parsed.kind === 'help') {
    io.out(help);
    return 0;
  }
  io.err(`tunelab ${command}: ${parsed.message}\nRun 'tunelab ${command} --help' to see the options.\n`);
  return 2;
}

/** Words node's parseArgs errors for the user (they carry a code and a message naming the option). */
export function parseError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unknown option '${name}'.`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = /Option '(-[\w-]+)/.exec(message)?.[1];
    if (name !== undefined && message.includes('argument missing')) return `option '${name}' needs a value.`;
    if (name !== undefined && message.includes('does not take an argument')) return `option '${name}' takes no value.`;
  }
  return message;
}
