import Ajv, { type ValidateFunction } from 'ajv';
import type { HostRequests, PanelCommand, RequestMessage, RequestMethod } from './protocol';

/**
 * Checks a message from a webview before the host acts on it. A webview runs model output and
 * user text, so everything it sends is untrusted: unknown methods, extra fields and wrong types
 * are refused.
 */

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
  compiled = {
    ajv,
    envelope: ajv.compile({
      type: 'object',
      properties: {
        kind: { const: 'request' },
        id: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        method: { type: 'string', maxLength: 100 },
        params: {},
      },
      required: ['kind', 'id', 'method', 'params'],
      additionalProperties: false,
    }),
    params: {
      'panel/ready': ajv.compile<null>({ type: 'null' }),
      'command/run': ajv.compile<{ command: PanelCommand }>({
        type: 'object',
        properties: { command: { type: 'string', enum: ['tunelab.getStarted', 'tunelab.showLog'] } },
        required: ['command'],
        additionalProperties: false,
      }),
    },
  };
  return compiled;
}

const METHODS: ReadonlySet<string> = new Set<RequestMethod>(['panel/ready', 'command/run']);

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
