/**
 * What the pairwise judge and the row scorer share: asking a judge for a reply that must parse
 * (with one follow-up when it does not), and a pool that runs items a few at a time and stops
 * at once on cancel.
 *
 * Pure: the model is reached through the `ask` it is given.
 */
import { setMaxListeners } from 'node:events';
import type { RenderedPrompt } from '../generate/defaultPrompts';
import type { Ask, AskStage } from '../generate/pipeline';

/** Thrown inside a run when its signal fires; the pool turns it into `cancelled`. */
export class Cancelled extends Error {}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Read through a function: the signal may fire while a request is awaited, which narrowing cannot see. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

export type Parsed<T> = ({ readonly ok: true; readonly reasoning: string } & T) | { readonly ok: false; readonly message: string };

export interface AskParsedOptions<T> {
  readonly ask: Ask;
  readonly stage: AskStage;
  readonly rendered: RenderedPrompt;
  readonly signal: AbortSignal;
  readonly parse: (reply: string) => Parsed<T>;
  /** The follow-up sent after a reply that does not parse. */
  readonly again: string;
  /** Called before each request, to count them. */
  readonly onSend?: () => void;
}

/**
 * Asks with the rendered prompt (its settings, temperature 0 unless it sets one) and parses the
 * reply. A reply that does not parse is asked about once more, with the reply and `again`; when
 * the second reply is only the token, the first reply is the reasoning. A second failure or a
 * request that fails (after the scheduler's retries) is an `{error}`. Throws `Cancelled` when the
 * signal fires.
 */
export async function askParsed<T>(o: AskParsedOptions<T>): Promise<({ readonly reasoning: string } & T) | { readonly error: string }> {
  const s = o.rendered.settings;
  const askOptions = {
    json: false,
    temperature: s.temperature ?? 0,
    ...(s.topP === undefined ? {} : { topP: s.topP }),
    ...(s.maxTokens === undefined ? {} : { maxTokens: s.maxTokens }),
    ...(s.seed === undefined ? {} : { seed: s.seed }),
    signal: o.signal,
  };
  const send = async (messages: RenderedPrompt['messages']): Promise<string> => {
    if (isAborted(o.signal)) throw new Cancelled();
    o.onSend?.();
    try {
      return await o.ask(o.stage, messages, askOptions);
    } catch (e) {
      if (isAborted(o.signal)) throw new Cancelled();
      throw e;
    }
  };
  let reply: string;
  try {
    reply = await send(o.rendered.messages);
  } catch (e) {
    if (e instanceof Cancelled) throw e;
    return { error: messageOf(e) };
  }
  const parsed = o.parse(reply);
  if (parsed.ok) return parsed;
  let again: string;
  try {
    again = await send([...o.rendered.messages, { role: 'assistant', content: reply }, { role: 'user', content: o.again }]);
  } catch (e) {
    if (e instanceof Cancelled) throw e;
    return { error: `${parsed.message} Asking again failed: ${messageOf(e)}` };
  }
  const second = o.parse(again);
  if (!second.ok) return { error: `${parsed.message} Asked again: ${second.message}` };
  return second.reasoning === '' ? { ...second, reasoning: reply.trim() } : second;
}

export interface PoolResult<R> {
  /** Finished items' results, in the items' order. */
  readonly results: R[];
  readonly cancelled: boolean;
}

/**
 * Runs `work` over `items`, `concurrency` at a time (the scheduler sets the real pace; this only
 * bounds what is in flight). On cancel it stops taking items; items cut short are not reported.
 */
export async function runPool<I, R>(items: readonly I[], concurrency: number, signal: AbortSignal, work: (item: I) => Promise<R>, onResult?: (result: R) => void): Promise<PoolResult<R>> {
  // Every request of the run listens to the one signal.
  setMaxListeners(0, signal);
  const results = new Array<R | undefined>(items.length);
  const done = new Array<boolean>(items.length).fill(false);
  let next = 0;
  let cancelled = false;
  async function worker(): Promise<void> {
    while (!isAborted(signal) && next < items.length) {
      const index = next++;
      const item = items[index];
      if (item === undefined) continue;
      try {
        const result = await work(item);
        results[index] = result;
        done[index] = true;
        onResult?.(result);
      } catch (e) {
        if (e instanceof Cancelled) { cancelled = true; return; }
        throw e;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, () => worker()));
  if (isAborted(signal)) cancelled = true;
  return { results: results.filter((_, i) => done[i] === true) as R[], cancelled };
}
