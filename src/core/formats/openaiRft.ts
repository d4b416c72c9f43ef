/**
 * OpenAI reinforcement fine-tuning (RFT):
 * `{"messages": [{"role": "user", "content": "…"}], "reference_answer": …, "any_other_field": …}`.
 *
 * Sources: `FineTuneReinforcementRequestInput` in the OpenAPI spec (github.com/openai/openai-openapi,
 * openapi.yaml): "Note that `messages` and `tools` are the only reserved keywords. Any other
 * arbitrary key-value data can be included on training datapoints and will be available to
 * reference during grading under the `{{ item.XXX }}` template variable. Input messages may contain
 * text or image content only"; its messages are developer, user, assistant and tool messages.
 * https://platform.openai.com/docs/guides/reinforcement-fine-tuning: the model answers the
 * line's messages and the grader scores that answer, so the last message is the user's and no
 * assistant reply is needed.
 * https://learn.microsoft.com/azure/ai-services/openai/how-to/reinforcement-fine-tuning (the same
 * service on Azure): "system messages aren't supported", so a system turn is reported and
 * "developer" is the role to use.
 */
import type { FieldRole, FormatModule, Issue, Json, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { chatRole, checkMessages, explainMessage, isMessageText, messageFields, messageSchema, RFT_ROLES, TOOL } from './openai';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { Fields, has, isObject, namePath, NONE, own, sorted } from './shared';

const LABEL = 'OpenAI RFT';
const RESERVED: ReadonlySet<string> = new Set(['messages', 'tools']);

/** Grader fields whose text is the expected answer: labelled `answer` so content rules read them. */
const REFERENCE_KEYS: ReadonlySet<string> = new Set(['reference_answer', 'reference', 'answer', 'expected_answer', 'correct_answer', 'ground_truth', 'solution', 'target']);

const schema = new LazySchema({
  type: 'object',
  required: ['messages'],
  properties: {
    messages: { type: 'array', minItems: 1, items: messageSchema(RFT_ROLES, true) },
    tools: { type: 'array', items: TOOL },
  },
});

const LISTS: ReadonlyMap<string, string> = new Map([['messages', 'message'], ['tools', 'tool']]);

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: isMessageText,
  explain(e: SchemaError): string | undefined {
    if (e.path.length === 0 && e.keyword === 'required') {
      return 'The record has no "messages". An OpenAI RFT example is {"messages": [{"role": "user", "content": "…"}], "reference_answer": "…"}.';
    }
    if (e.path.length === 1 && e.keyword === 'minItems') return '"messages" is empty. Add the user\'s message the model answers.';
    return explainMessage(e, namePath(e.path, LISTS), 'OpenAI reinforcement fine-tuning', RFT_ROLES);
  },
};

function roleOf(role: Json | undefined, m: JsonObject): FieldRole {
  return chatRole(role, m);
}

export const openaiRft: FormatModule = {
  id: 'openai-rft',
  label: LABEL,
  description: 'OpenAI reinforcement fine-tuning (RFT): messages ending with the user, plus the fields the grader reads.',

  /**
   * Messages with roles ending with the user's, and a field for the grader (a key other than
   * `messages` and `tools`). A line with neither extra field is more likely an SFT line that
   * lacks its reply, so it stays OpenAI chat.
   */
  matches(record: JsonObject): boolean {
    const messages = own(record, 'messages');
    if (!Array.isArray(messages) || messages.length === 0) return false;
    for (const m of messages) if (!isObject(m) || !has(m, 'role')) return false;
    const last = messages[messages.length - 1];
    if (!isObject(last) || own(last, 'role') !== 'user') return false;
    for (const k of Object.keys(record)) if (!RESERVED.has(k)) return true;
    return false;
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    if (!schema.valid(record)) out = schemaIssues(schema, record, at, wording, out);
    const messages = own(record, 'messages');
    if (!Array.isArray(messages) || messages.length === 0) return sorted(out);
    const checked = checkMessages(messages, ['messages'], 'message', at, { roles: RFT_ROLES, weight: true }, out);
    out = checked.out;
    const { summary } = checked;
    if (!summary.unknown && summary.lastRole !== 'user' && summary.lastIndex >= 0) {
      (out ??= []).push({
        rule: 'role-order', ...at.valueRange(['messages', summary.lastIndex, 'role']),
        message: `The last message is "${summary.lastRole ?? ''}", but in reinforcement fine-tuning the model answers the last message, which must be the user's. End with the user's message; the grader's reference goes in a field of its own, e.g. "reference_answer".`,
      });
    }
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      if (key === 'messages') messageFields(fields, record[key], ['messages'], roleOf);
      else if (REFERENCE_KEYS.has(key)) fields.add([key], 'answer', record[key]);
    }
    return fields.view('openai-rft');
  },
};
