/**
 * `empty-field`: a field the trainer reads that is empty or only whitespace. An empty answer
 * teaches the model to say nothing; an empty prompt teaches it to answer a question nobody asked.
 * JumpStart and Alpaca records often have an empty `context` / `input` on purpose, so that role
 * may be empty by default.
 */
import type { ContentRule, FieldRole, Issue, LineLocator, RecordView, RuleOptions, TextField } from '../lint/types';
import { FIELD_ROLES, isSpace, perOptions, stringList } from './options';

const NONE: Issue[] = [];
Object.freeze(NONE);

const DEFAULT_ALLOW: readonly FieldRole[] = ['context'];

const allowed = perOptions((options: RuleOptions): ReadonlySet<string> => new Set(stringList(options, 'allowEmpty', DEFAULT_ALLOW)));

/** True when `text` is empty or whitespace only; a field with text usually answers at its first character. */
function blank(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isSpace(text.charCodeAt(i))) return false;
  return true;
}

const WHAT: Record<FieldRole, string> = {
  answer: 'The answer is {empty}: the model learns to reply with nothing. Write the answer, or delete the record.',
  rejected: 'The rejected answer is {empty}: preference training needs a real worse answer to contrast with the chosen one. Write one, or delete the record.',
  prompt: 'The prompt is {empty}: the model learns an answer to a question nobody asked. Write the question, or delete the record.',
  system: 'The system message is {empty}. Write the instructions the model should follow, or remove the message.',
  context: 'The context is {empty}. Fill it in, or allow empty context with the option allowEmpty: ["context"].',
  text: 'The text is {empty}: the record trains nothing. Write the text, or delete the record.',
  other: 'This field is {empty}, and the trainer reads it. Fill it in, or delete the record.',
};

function issue(field: TextField, at: LineLocator): Issue {
  const empty = field.text === '' ? 'empty' : 'only whitespace';
  return { rule: 'empty-field', ...at.valueRange(field.path), message: WHAT[field.role].replace('{empty}', empty) };
}

export const emptyField: ContentRule = {
  id: 'empty-field',
  defaultSeverity: 'error',
  description: 'A field the trainer reads (an answer above all) that is empty or only whitespace.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      allowEmpty: {
        type: 'array',
        items: { enum: [...FIELD_ROLES] },
        uniqueItems: true,
        description: 'Field roles that may be empty: system, prompt, context, answer, rejected, text, other. JumpStart and Alpaca leave context (input) empty when a question needs none.',
        default: [...DEFAULT_ALLOW],
      },
    },
  },
  defaultOptions: { allowEmpty: [...DEFAULT_ALLOW] },
  check(view: RecordView, at: LineLocator, options: RuleOptions): Issue[] {
    let out: Issue[] | undefined;
    let allow: ReadonlySet<string> | undefined;
    for (const field of view.fields) {
      if (!blank(field.text)) continue;
      allow ??= allowed(options);
      if (allow.has(field.role)) continue;
      (out ??= []).push(issue(field, at));
    }
    return out ?? NONE;
  },
};
