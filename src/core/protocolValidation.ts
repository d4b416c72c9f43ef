import Ajv, { type ValidateFunction } from 'ajv';
import type { HostRequests, RequestMessage, RequestMethod } from './protocol';

/**
 * Checks a message from a webview before the host acts on it. A webview runs model output and
 * user text, so everything it sends is untrusted: unknown methods, extra fields and wrong types
 * are refused.
 */

const ajv = new Ajv({ allErrors: false, strict: true });

const envelope = ajv.compile<{ kind: 'request'; id: number; method: string; params: unknown }>({
  type: 'object',
  properties: {
    kind: { const: 'request' },
    id: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    method: { type: 'string', maxLength: 100 },
    params: {},
  },
  required: ['kind', 'id', 'method', 'params'],
  additionalProperties: false,
});

const paramValidators: { readonly [M in RequestMethod]: ValidateFunction<HostRequests[M][0]> } = {
  'panel/ready': ajv.compile<null>({ type: 'null' }),
  'command/run': ajv.compile<{ command: 'tunelab.getStarted' | 'tunelab.showLog' }>({
    type: 'object',
    properties: { command: { type: 'string', enum: ['tunelab.getStarted', 'tunelab.showLog'] } },
    required: ['command'],
    additionalProperties: false,
  }),
};

function isMethod(method: string): method is RequestMethod {
  return Object.prototype.hasOwnProperty.call(paramValidators, method);
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
