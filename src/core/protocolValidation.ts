import Ajv, { type ValidateFunction } from 'ajv';
import type { HostRequests, PanelCommand, RequestMessage, RequestMethod } from './protocol';

/**
 * Checks a message from a webview before the host acts on it. A webview runs model output and
 * user text, so everything it sends is untrusted: unknown methods, extra fields, wrong types and
 * out-of-range numbers are refused.
 */

/** Limits that keep one message from filling the host's memory or the workspace state. */
const TEXT_MAX = 200_000;
const ANSWER_MAX = 2_000_000;
const ID_MAX = 300;

const PANEL_COMMANDS: readonly PanelCommand[] = ['tunelab.getStarted', 'tunelab.showLog', 'tunelab.addEndpoint'];

type Schema = Record<string, unknown>;

const text = (maxLength = TEXT_MAX): Schema => ({ type: 'string', maxLength });
const object = (properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties)): Schema =>
  ({ type: 'object', properties, required, additionalProperties: false });

const PARAMETERS = object({
  temperature: { type: 'number', minimum: 0, maximum: 2 },
  topP: { type: 'number', minimum: 0, maximum: 1 },
  maxTokens: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  seed: { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
}, []);
const ENDPOINT_ID = { type: 'string', minLength: 1, maxLength: ID_MAX };
const COLUMN = object({ endpoint: ENDPOINT_ID, system: text(), parameters: PARAMETERS });
const COLUMNS = { type: 'array', items: COLUMN, minItems: 1, maxItems: 4 };
const SAMPLES = { type: 'integer', minimum: 1, maximum: 8 };
const DRAFT = object({
  system: text(),
  question: text(),
  columns: { type: 'array', minItems: 1, maxItems: 4, items: object({ endpoint: { type: 'string', maxLength: ID_MAX }, system: { type: ['string', 'null'], maxLength: TEXT_MAX }, parameters: PARAMETERS }) },
  samples: SAMPLES,
});
const RUN_ID = { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$' };

/** Each request's params schema. The record's type makes a new method without one a type error. */
const PARAMS: { readonly [M in RequestMethod]: Schema } = {
  'panel/ready': { type: 'null' },
  'command/run': object({ command: { type: 'string', enum: PANEL_COMMANDS } }),
  'endpoints/refresh': object({ live: { type: 'boolean' } }),
  'run/start': object({ runId: RUN_ID, question: { type: 'string', minLength: 1, maxLength: TEXT_MAX }, columns: COLUMNS, samples: SAMPLES }),
  'run/cancel': object({ runId: RUN_ID }),
  'answer/copy': object({ text: text(ANSWER_MAX) }),
  'answer/addToDataset': object({ question: { type: 'string', minLength: 1, maxLength: TEXT_MAX }, answer: text(ANSWER_MAX), system: text() }),
  'draft/save': DRAFT,
  'draft/loaded': { type: 'null' },
  'history/delete': object({ id: { type: 'string', minLength: 1, maxLength: 100 } }),
  'history/clear': { type: 'null' },
  'prompt/save': DRAFT,
  'batch/start': object({ columns: COLUMNS }),
};

// Compiled on first use: activation should not pay for ajv's code generation when no panel
// ever sends a message.
interface Validators {
  readonly ajv: Ajv;
  readonly envelope: ValidateFunction<{ kind: 'request'; id: number; method: string; params: unknown }>;
  readonly params: { readonly [M in RequestMethod]: ValidateFunction<HostRequests[M][0]> };
}
let compiled: Validators | undefined;

function validators(): Validators {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: false, strict: true });
  const envelope = object({
    kind: { const: 'request' },
    id: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    method: { type: 'string', maxLength: 100 },
    params: {},
  });
  const params = Object.fromEntries(
    (Object.keys(PARAMS) as RequestMethod[]).map((m) => [m, ajv.compile(PARAMS[m])]),
  ) as unknown as Validators['params'];
  compiled = { ajv, envelope: ajv.compile<{ kind: 'request'; id: number; method: string; params: unknown }>(envelope), params };
  return compiled;
}

const METHODS: ReadonlySet<string> = new Set(Object.keys(PARAMS));

function isMethod(method: string): method is RequestMethod {
  return METHODS.has(method);
}

export type RequestCheck =
  | { readonly ok: true; readonly request: RequestMessage }
  | { readonly ok: false; readonly id: number | undefined; readonly error: string };

/** The id of a refused message, when it has a usable one: the panel is waiting on that id. */
function salvageId(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null || !('id' in message)) return undefined;
  const { id } = message;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** A method name as it may appear in a log line: quoted, escaped, so it cannot forge lines. */
function quoted(method: string): string {
  return JSON.stringify(method);
}

export function checkRequest(message: unknown): RequestCheck {
  const { ajv, envelope, params: paramValidators } = validators();
  if (!envelope(message)) {
    return { ok: false, id: salvageId(message), error: `not a request: ${ajv.errorsText(envelope.errors)}` };
  }
  const { id, method, params } = message;
  if (!isMethod(method)) return { ok: false, id, error: `unknown method ${quoted(method)}` };
  const validate = paramValidators[method];
  if (!validate(params)) {
    return { ok: false, id, error: `bad params for ${quoted(method)}: ${ajv.errorsText(validate.errors, { dataVar: 'params' })}` };
  }
  return { ok: true, request: message as RequestMessage };
}
