import type { PeerReply } from './openaiPeer';

/**
 * A Chat Completions peer's replies for pair generation, built from the request the way a model
 * would: in JSON mode, the questions the default questions prompt asks for (varied enough that
 * none is a near-duplicate of another); otherwise the answer to the question asked, which
 * `expectedAnswer` gives, so a test can tell a whole pair from a broken one.
 */
const WORDS = 'permit office county renewal fee deadline form clerk voucher appeal benefit license parking library tax refund housing grant court transit school water trash senior veteran childcare vaccine passport ballot zoning'.split(' ');

function field(text: string, name: string): string {
  return new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1] ?? '';
}

export function userText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body['messages']) ? body['messages'] as { role?: unknown; content?: unknown }[] : [];
  const user = messages.find((m) => m.role === 'user')?.content;
  return typeof user === 'string' ? user : '';
}

/** The answer the peer gives to `question`: a pair is whole when its answer is exactly this. */
export function expectedAnswer(question: string): string {
  return `Thank you for asking. For "${question}" go to the county office with a photo ID; it usually costs about twenty dollars and takes a week.`;
}

export function generationResponder(): (body: Record<string, unknown>) => PeerReply {
  const asked = new Map<string, number>();
  return (body) => {
    const user = userText(body);
    if (typeof body['response_format'] === 'object') {
      const topic = field(user, 'Topic');
      const n = Number(field(user, 'Questions to write'));
      const refusals = Number(field(user, 'Out-of-scope questions among them'));
      const start = asked.get(topic) ?? 0;
      asked.set(topic, start + n);
      const questions = Array.from({ length: n }, (_, i) => {
        const k = start + i;
        const pick = (j: number): string => WORDS[(k * 7 + j * 13 + topic.length * 3) % WORDS.length] ?? 'x';
        return { text: `${topic}, question ${k}: ${pick(1)} ${pick(2)} ${pick(3)} ${pick(4)} ${pick(5)} ${k * 31 + 7}?`, refusal: i < refusals };
      });
      return { content: JSON.stringify({ questions }) };
    }
    return { content: expectedAnswer(/Question:\n([\s\S]*)$/.exec(user)?.[1] ?? '') };
  };
}

