import type { PeerReply } from './openaiPeer';
import { userText } from './generationResponder';

/**
 * A Chat Completions peer's replies as a pairwise judge, built from the request: the question
 * and the two answers are read back out of the rubric's sections, and a policy picks a verdict.
 *
 * - `first`: always the answer shown first, whatever it is (a judge with pure position bias);
 * - `longer`: always the longer answer (a judge with pure length bias);
 * - `marked`: the answer containing "[good]" (a judge that sees quality), a tie when both or neither do;
 * - a function, for anything else: it gets the parsed request and returns the reply text.
 */
export interface JudgeRequest {
  readonly question: string;
  readonly answerA: string;
  readonly answerB: string;
  /** True when the request is the follow-up asking for the verdict alone. */
  readonly followUp: boolean;
}

export type JudgePolicy = 'first' | 'longer' | 'marked' | ((request: JudgeRequest) => string);

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  return from < 0 || to < 0 ? '' : text.slice(from + start.length, to).trim();
}

export function judgeRequestOf(body: Record<string, unknown>): JudgeRequest {
  const user = userText(body);
  const messages = Array.isArray(body['messages']) ? body['messages'] as { role?: unknown; content?: unknown }[] : [];
  return {
    question: between(user, '[Question]\n', '\n'),
    answerA: between(user, "[The Start of Assistant A's Answer]", "[The End of Assistant A's Answer]"),
    answerB: between(user, "[The Start of Assistant B's Answer]", "[The End of Assistant B's Answer]"),
    followUp: messages.at(-1)?.role === 'user' && messages.some((m) => m.role === 'assistant'),
  };
}

export function judgeResponder(policy: JudgePolicy): (body: Record<string, unknown>) => PeerReply {
  return (body) => {
    const request = judgeRequestOf(body);
    if (typeof policy === 'function') return { content: policy(request) };
    let verdict: 'A' | 'B' | 'C';
    if (policy === 'first') verdict = 'A';
    else if (policy === 'longer') verdict = request.answerA.length >= request.answerB.length ? 'A' : 'B';
    else {
      const a = request.answerA.includes('[good]');
      const b = request.answerB.includes('[good]');
      verdict = a === b ? 'C' : a ? 'A' : 'B';
    }
    return { content: `Comparing both answers to "${request.question}".\n\nAssistant ${verdict === 'B' ? 'B' : 'A'} is more helpful.\n\n[[${verdict}]]` };
  };
}
