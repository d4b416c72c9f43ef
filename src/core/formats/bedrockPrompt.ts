/**
 * Amazon Bedrock model customization, prompt/completion records:
 * `{"prompt": "What is…?", "completion": "It is…"}`. Bedrock's validation rejects other keys.
 */
import type { FormatModule, Issue, JsonObject, JsonPath, LineLocator, RecordView } from '../lint/types';
import { LazySchema, schemaIssues, type SchemaError, type Wording } from './schema';
import { Fields, has, NONE, own, sorted } from './shared';

const LABEL = 'Bedrock prompt/completion';

const schema = new LazySchema({
  type: 'object',
  required: ['prompt', 'completion'],
  properties: { prompt: { type: 'string' }, completion: { type: 'string' } },
  additionalProperties: false,
});

const wording: Wording = {
  label: LABEL,
  name: (path: JsonPath) => (path.length === 0 ? 'the record' : `"${String(path[0])}"`),
  isText: (path: JsonPath) => path.length === 1,
  explain(e: SchemaError): string | undefined {
    if (e.keyword === 'required') {
      const what = e.key === 'prompt' ? 'the input text' : 'the output the model should learn';
      return `The record has no "${e.key ?? ''}". Add it with ${what}: a Bedrock example is {"prompt": "…", "completion": "…"}.`;
    }
    if (e.keyword === 'additionalProperties') {
      return `The record has the key "${e.key ?? ''}", but Bedrock prompt/completion records hold only "prompt" and "completion". Remove it.`;
    }
    return undefined;
  },
};

export const bedrockPrompt: FormatModule = {
  id: 'bedrock-prompt',
  label: LABEL,
  description: 'Amazon Bedrock model customization: prompt and completion.',

  /**
   * Prompt and completion, neither a list: a list of messages is Hugging Face TRL's
   * conversational prompt-completion, which Bedrock never reads.
   */
  matches(record: JsonObject): boolean {
    return has(record, 'prompt') && has(record, 'completion') && !Array.isArray(own(record, 'prompt')) && !Array.isArray(own(record, 'completion'));
  },

  check(record: JsonObject, at: LineLocator): Issue[] {
    if (schema.valid(record)) return NONE;
    return sorted(schemaIssues(schema, record, at, wording, undefined));
  },

  view(record: JsonObject): RecordView {
    const fields = new Fields();
    for (const key of Object.keys(record)) {
      if (key === 'prompt') fields.add([key], 'prompt', record[key]);
      else if (key === 'completion') fields.add([key], 'answer', record[key]);
    }
    return fields.view('bedrock-prompt');
  },
};
