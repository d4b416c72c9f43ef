/**
 * OpenAI chat fine-tuning (supervised, SFT):
 * `{"messages": [...], "tools"?: [...], "parallel_tool_calls"?: bool, "functions"?: [...]}`.
 *
 * Source: `FineTuneChatRequestInput` in the OpenAPI spec (github.com/openai/openai-openapi,
 * openapi.yaml) and https://platform.openai.com/docs/guides/supervised-fine-tuning. Turns are
 * system, user, assistant, tool and (legacy) function messages; there is no developer message in
 * a fine-tuning line. Assistant turns may carry a `refusal`, legacy `function_call`, `tool_calls`
 * and `weight`. OpenAI does not require strict alternation, so only what it rejects or cannot
 * learn from is reported: a weight on a turn other than the assistant's, a tool or function
 * result that follows no call, an example without an assistant turn to learn from (or with every
 * assistant turn at weight 0).
 */
import type { FormatModule, Issue, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { chatRole, checkMessages, explainMessage, FUNCTION, isMessageText, messageFields, messageSchema, SFT_ROLES, TOOL } from './openai';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { Fields, has, isObject, namePath, NONE, own, sorted } from './shared';

const LABEL = 'OpenAI chat';

const schema = new LazySchema({
  type: 'object',
  required: ['messages'],
  properties: {
    messages: { type: 'array', items: messageSchema(SFT_ROLES, true) },
    tools: { type: 'array', items: TOOL },
    parallel_tool_calls: { type: 'boolean' },
    functions: { type: 'array', minItems: 1, maxItems: 128, items: FUNCTION },
  },
  additionalProperties: false,
});

const LISTS: ReadonlyMap<string, string> = new Map([['messages', 'turn'], ['tools', 'tool'], ['functions', 'function']]);

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: isMessageText,
  explain(e: SchemaError): string | undefined {
    if (e.path.length === 0) {
      if (e.keyword === 'required') return 'The record has no "messages". An OpenAI chat example is {"messages": [{"role": "user", "content": …}, {"role": "assistant", "content": …}]}.';
      if (e.keyword === 'additionalProperties') {
        return `The record has the key "${e.key ?? ''}", which OpenAI chat fine-tuning rejects: a line holds "messages" and optionally "tools", "parallel_tool_calls" and "functions". Remove it.`;
      }
    }
    return explainMessage(e, namePath(e.path, LISTS), LABEL, SFT_ROLES);
  },
};

export const openaiChat: FormatModule = {
  id: 'openai-chat',
  label: LABEL,
  description: 'OpenAI chat fine-tuning (SFT): messages with system, user, assistant, tool and function turns.',

  /**
   * Messages whose turns have roles. A Bedrock conversation (schemaVersion) is not one, nor a
   * line with a top-level `system` string: that is Bedrock's Claude 3 Haiku format.
   */
  matches(record: JsonObject): boolean {
    const messages = own(record, 'messages');
    if (!Array.isArray(messages) || has(record, 'schemaVersion') || typeof own(record, 'system') === 'string') return false;
    for (const m of messages) if (!isObject(m) || !has(m, 'role')) return false;
    return true;
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    if (!schema.valid(record)) out = schemaIssues(schema, record, at, wording, out);
    const messages = own(record, 'messages');
    if (!Array.isArray(messages)) return sorted(out);
    const checked = checkMessages(messages, ['messages'], 'turn', at, { roles: SFT_ROLES, weight: true }, out);
    out = checked.out;
    const { summary } = checked;
    if (messages.length === 0) {
      (out ??= []).push({ rule: 'missing-assistant', ...at.valueRange(['messages']), message: '"messages" is empty. Add the user\'s message and the assistant\'s reply.' });
    } else if (!summary.unknown && summary.assistants === 0) {
      (out ??= []).push({
        rule: 'missing-assistant', ...at.valueRange(['messages']),
        message: 'The conversation has no assistant turn: OpenAI trains only on assistant replies, so this example teaches nothing. Add the assistant\'s reply.',
      });
    } else if (!summary.unknown && summary.trained === 0) {
      (out ??= []).push({
        rule: 'missing-assistant', ...at.valueRange(['messages']),
        message: 'Every assistant turn has "weight": 0, so this example teaches nothing. Set "weight": 1 on the reply to learn from, or delete the record.',
      });
    }
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    messageFields(fields, own(record, 'messages'), ['messages'], chatRole);
    return fields.view('openai-chat');
  },
};
