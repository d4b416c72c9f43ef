/**
 * OpenAI preference fine-tuning (DPO):
 * `{"input": {"messages": [...], "tools"?, "parallel_tool_calls"?}, "preferred_output": [assistant message], "non_preferred_output": [assistant message]}`.
 *
 * The two outputs are alternative answers to the input's last user turn, so the input must end
 * with the user (or a tool result), and each output holds exactly one assistant message.
 *
 * Source: `FineTunePreferenceRequestInput` in the OpenAPI spec (github.com/openai/openai-openapi,
 * openapi.yaml): the input's messages are those of a supervised line (system, user, assistant,
 * tool, function; no developer message).
 */
import type { FieldRole, FormatModule, Issue, Json, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { chatRole, checkMessages, explainMessage, FUNCTION, isMessageText, messageFields, messageSchema, SFT_ROLES, TOOL } from './openai';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { Fields, has, isObject, namePath, NONE, own, sorted } from './shared';

const LABEL = 'OpenAI DPO';
const OUTPUTS = ['preferred_output', 'non_preferred_output'] as const;

const output = { type: 'array', maxItems: 1, items: messageSchema(['assistant'], false) };

const schema = new LazySchema({
  type: 'object',
  required: ['input', 'preferred_output', 'non_preferred_output'],
  properties: {
    input: {
      type: 'object',
      required: ['messages'],
      properties: {
        messages: { type: 'array', items: messageSchema(SFT_ROLES, false) },
        tools: { type: 'array', items: TOOL },
        parallel_tool_calls: { type: 'boolean' },
        functions: { type: 'array', minItems: 1, maxItems: 128, items: FUNCTION },
      },
      additionalProperties: false,
    },
    preferred_output: output,
    non_preferred_output: output,
  },
  additionalProperties: false,
});

const LISTS: ReadonlyMap<string, string> = new Map([
  ['input.messages', 'input turn'], ['input.tools', 'tool'], ['preferred_output', 'preferred output'], ['non_preferred_output', 'non-preferred output'],
]);

const SHAPE = '{"input": {"messages": […]}, "preferred_output": [{"role": "assistant", …}], "non_preferred_output": [{"role": "assistant", …}]}';

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => namePath(path, LISTS),
  isText: isMessageText,
  explain(e: SchemaError): string | undefined {
    if (e.path.length === 0 && e.keyword === 'required') {
      return `The record has no "${e.key ?? ''}". An OpenAI DPO example is ${SHAPE}.`;
    }
    if (e.path.length === 0 && e.keyword === 'additionalProperties') {
      return `The record has the key "${e.key ?? ''}", which OpenAI DPO rejects: a line holds "input", "preferred_output" and "non_preferred_output". Remove it.`;
    }
    if (e.path.length === 1 && e.path[0] === 'input' && e.keyword === 'additionalProperties') {
      return `"input" has the key "${e.key ?? ''}", which OpenAI DPO does not use: the input holds "messages" and optionally "tools", "parallel_tool_calls" and "functions". Remove it.`;
    }
    // An output's role can only be "assistant": the general wording says so.
    if (e.keyword === 'enum' && e.path[e.path.length - 1] === 'role' && e.path[0] !== 'input') return undefined;
    return explainMessage(e, namePath(e.path, LISTS), LABEL, SFT_ROLES);
  },
};

function outputRole(which: 'preferred_output' | 'non_preferred_output'): (role: Json | undefined, m: JsonObject) => FieldRole {
  const role: FieldRole = which === 'preferred_output' ? 'answer' : 'rejected';
  return () => role;
}

/** Earlier assistant turns of the input are context for the outputs, not what the model learns. */
function inputRole(role: Json | undefined, m: JsonObject): FieldRole {
  return role === 'assistant' ? 'other' : chatRole(role, m);
}

export const openaiDpo: FormatModule = {
  id: 'openai-dpo',
  label: LABEL,
  description: 'OpenAI preference fine-tuning (DPO): input messages with a preferred and a non-preferred assistant reply.',

  matches(record: JsonObject): boolean {
    return has(record, 'preferred_output') || has(record, 'non_preferred_output');
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    let out: Issue[] | undefined;
    if (!schema.valid(record)) out = schemaIssues(schema, record, at, wording, out);
    out = checkInput(record, at, out);
    for (const key of OUTPUTS) out = checkOutput(record, key, at, out);
    return out === undefined ? NONE : sorted(out);
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      const v = record[key];
      if (key === 'input' && isObject(v)) messageFields(fields, own(v, 'messages'), ['input', 'messages'], inputRole);
      else if (key === 'preferred_output' || key === 'non_preferred_output') messageFields(fields, v, [key], outputRole(key));
    }
    return fields.view('openai-dpo');
  },
};

function checkInput(record: JsonObject, at: LineLocator, out: Issue[] | undefined): Issue[] | undefined {
  const input = own(record, 'input');
  const messages = isObject(input) ? own(input, 'messages') : undefined;
  if (!Array.isArray(messages)) return out;
  const path = ['input', 'messages'];
  if (messages.length === 0) {
    return push(out, 'schema', at.valueRange(path), '"input.messages" is empty. Add the user\'s message that the outputs answer.');
  }
  const checked = checkMessages(messages, path, 'input turn', at, { roles: SFT_ROLES, weight: false }, out);
  const { summary } = checked;
  out = checked.out;
  if (summary.unknown) return out;
  if (summary.users === 0) {
    return push(out, 'schema', at.valueRange(path), 'The input has no "user" turn for the outputs to answer. Add the user\'s message.');
  }
  if (summary.lastRole === 'assistant') {
    return push(out, 'role-order', at.valueRange([...path, summary.lastIndex, 'role']),
      'The input ends with an "assistant" turn, but the preferred and non-preferred outputs answer the input\'s last user turn. End the input with the user\'s message.');
  }
  return out;
}

function checkOutput(record: JsonObject, key: 'preferred_output' | 'non_preferred_output', at: LineLocator, out: Issue[] | undefined): Issue[] | undefined {
  const list = own(record, key);
  if (!Array.isArray(list)) return out;
  const which = key === 'preferred_output' ? 'preferred' : 'non-preferred';
  if (list.length === 0) {
    return push(out, 'missing-assistant', at.valueRange([key]), `"${key}" is empty. Add the ${which} reply: [{"role": "assistant", "content": "…"}].`);
  }
  return checkMessages(list, [key], `${which} output`, at, { roles: ['assistant'], weight: false }, out).out;
}

function push(out: Issue[] | undefined, rule: Issue['rule'], range: { start: number; end: number }, message: string): Issue[] {
  const list = out ?? [];
  list.push({ rule, ...range, message });
  return list;
}
