import assert from 'node:assert/strict';
import { EndpointError, type ChatChunk, type ChatEndpoint, type ChatRequest } from '../../src/endpoints/types';

/** Every chunk of one streamed chat. */
export async function collect(endpoint: ChatEndpoint, req: ChatRequest, signal: AbortSignal = new AbortController().signal): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const chunk of endpoint.chat(req, signal)) out.push(chunk);
  return out;
}

/** The text of the chunks, joined. */
export function textOf(chunks: readonly ChatChunk[]): string {
  return chunks.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

/** The EndpointError of the given kind the promise rejects with. */
export async function rejectsWith(promise: Promise<unknown>, kind: string): Promise<EndpointError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof EndpointError, `expected an EndpointError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    return e;
  }
  assert.fail(`expected a ${kind} error`);
}
