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

export function checkRequest(message: unknown): RequestCheck {
  if (!envelope(message)) {
    return { ok: false, id: undefined, error: `not a request: ${ajv.errorsText(envelope.errors)}` };
  }
  const { id, method, params } = message;
  if (!isMethod(method)) return { ok: false, id, error: `unknown method '${method.slice(0, 100)}'` };
  const validate = paramValidators[method];
  if (!validate(params)) {
    return { ok: false, id, error: `bad params for '${method}': ${ajv.errorsText(validate.errors, { dataVar: 'params' })}` };
  }
  return { ok: true, request: message as RequestMessage };
}
