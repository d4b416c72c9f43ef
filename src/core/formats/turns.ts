/**
 * The order of turns in the chat formats that require strict alternation (JumpStart chat,
 * ShareGPT, Bedrock conversation, Bedrock's Claude 3 Haiku, Amazon Nova): an optional system
 * turn first, then user and assistant turns alternating, starting with the user and ending with
 * the assistant.
 *
 * A hand-written loop rather than a schema: JSON schema cannot say "alternating", and a loop
 * can say which turn breaks the order and how to fix it. Turns the schema already reports
 * (not an object, unknown role) are skipped, so one mistake gives one finding.
 */
import type { FieldRole, Issue, Json, JsonPath, LineLocator } from '../lint/types';
import { isObject, own } from './shared';

export type Side = 'system' | 'user' | 'assistant';

export interface TurnSpec {
  /** The property holding a turn's role: "role", or "from" for ShareGPT. */
  readonly roleKey: string;
  /** Which side a role is on; undefined for a role the schema reports as unknown. */
  side(role: string): Side | undefined;
  /** Whether a system turn may open the conversation (Bedrock keeps the system prompt outside the turns). */
  readonly system: boolean;
  /** The user and assistant roles as the format spells them: "user" / "assistant", "human" / "gpt". */
  readonly user: string;
  readonly assistant: string;
  /** How the reply is named in advice: "assistant's" (the assistant's reply), "gpt" (the gpt reply). */
  readonly assistantOf: string;
  readonly userOf: string;
}

/**
 * Turns of "user" and "assistant" only, the system prompt kept outside them: Bedrock's Claude 3
 * Haiku and conversation records, and Amazon Nova.
 */
export const USER_ASSISTANT: TurnSpec = {
  roleKey: 'role',
  side: (role: string): Side | undefined => (role === 'user' || role === 'assistant' ? role : undefined),
  system: false,
  user: 'user',
  assistant: 'assistant',
  userOf: 'user\'s',
  assistantOf: 'assistant\'s',
};

/** What a USER_ASSISTANT turn's text is in a record's view: the user's the prompt, the assistant's the answer. */
export function userAssistantField(role: Json | undefined): FieldRole {
  return role === 'user' ? 'prompt' : role === 'assistant' ? 'answer' : 'other';
}

/**
 * The order issues of `turns` for a format that needs at least two of them: a lone turn is
 * `missing-assistant` with the format's own `lone` message rather than an order finding.
 */
export function checkTwoOrMoreTurns(turns: readonly Json[], listPath: JsonPath, at: LineLocator, spec: TurnSpec, lone: string, out: Issue[] | undefined): Issue[] | undefined {
  if (turns.length === 1) return push(out, 'missing-assistant', at.valueRange(listPath), lone);
  return checkTurnOrder(turns, listPath, at, spec, out);
}

/** The order issues of `turns` (the array at `listPath`), appended to `out`. */
export function checkTurnOrder(turns: readonly Json[], listPath: JsonPath, at: LineLocator, spec: TurnSpec, out: Issue[] | undefined): Issue[] | undefined {
  if (turns.length === 0) {
    return push(out, 'missing-assistant', at.valueRange(listPath), `The conversation is empty, so there is nothing for the model to learn. Add a "${spec.user}" turn and the ${spec.assistantOf} reply.`);
  }
  let unknown = false;
  let started = false;
  let prevSide: Side | undefined;
  let prevRole = '';
  let last = -1;
  let lastRole = '';
  let assistants = 0;
  // Ranges are looked up only when a turn has something to report.
  const range = (i: number): { start: number; end: number } => at.valueRange([...listPath, i, spec.roleKey]);
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i];
    const role = isObject(turn) ? own(turn, spec.roleKey) : undefined;
    const side = typeof role === 'string' ? spec.side(role) : undefined;
    if (side === undefined || typeof role !== 'string') {
      // The schema reports this turn; judge the next one on its own rather than against it.
      unknown = true;
      started = true;
      prevSide = undefined;
      continue;
    }
    const n = i + 1;
    if (side === 'system') {
      if (i !== 0 || !spec.system) {
        out = push(out, 'role-order', range(i), `Turn ${n} is "${role}", but a system message may only come first. Move it to the start, or merge it into the first one.`);
      }
      continue;
    }
    if (!started && side === 'assistant') {
      out = push(out, 'role-order', range(i), `Turn ${n} is "${role}", but the conversation must start with a "${spec.user}" turn (after an optional system message). Add the ${spec.userOf} message before it.`);
    } else if (prevSide === side) {
      const same = prevRole === role;
      const was = same ? `the previous turn was also "${role}"` : `the previous turn, "${prevRole}", is on the same side`;
      const merge = same ? `Merge the two ${role} turns` : 'Merge the two turns';
      const fix = side === 'user'
        ? `${merge} or add the ${spec.assistantOf} reply between them.`
        : `${merge} or add the ${spec.userOf} turn between them.`;
      out = push(out, 'role-order', range(i), `Turn ${n} is "${role}" but ${was}: ${spec.user} and ${spec.assistant} turns must alternate. ${fix}`);
    }
    started = true;
    prevSide = side;
    prevRole = role;
    last = i;
    lastRole = role;
    if (side === 'assistant') assistants++;
  }
  if (unknown) return out;
  if (assistants === 0) {
    return push(out, 'missing-assistant', at.valueRange(listPath), `The conversation has no "${spec.assistant}" turn, so there is nothing for the model to learn. Add the ${spec.assistantOf} reply after the "${spec.user}" turn.`);
  }
  if (prevSide !== 'assistant' && last >= 0) {
    out = push(out, 'missing-assistant', range(last),
      `The conversation ends with a "${lastRole}" turn: the model learns from the replies, so a last turn with no reply teaches nothing. Add the ${spec.assistantOf} reply, or remove the turn.`);
  }
  return out;
}

function push(out: Issue[] | undefined, rule: Issue['rule'], range: { start: number; end: number }, message: string): Issue[] {
  const list = out ?? [];
  list.push({ rule, ...range, message });
  return list;
}
