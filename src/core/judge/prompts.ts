/**
 * The judge's rubric prompts, as TuneLab prompt files (`.tlprompt`), and rendering one for a pair
 * of answers.
 *
 * - `LEAGUE_RUBRIC` weighs helpfulness, accuracy, relevance and depth.
 * - `HUMAN_PREFERENCE_RUBRIC` adds what people who rate public-services answers reward: empathy,
 *   plain language, actionable next steps and concision. They mark down terse, cold answers
 *   even when those are correct.
 *
 * Both run at temperature 0, ask for reasoning first and a last line of `[[A]]`, `[[B]]` or
 * `[[C]]` (read by `parseVerdict`), and tell the judge not to favour length or position. A
 * rubric may use `{{question}}`, `{{answer_a}}`, `{{answer_b}}` and `{{reference}}`; the last
 * is filled with a whole reference section, or with nothing when the question has no reference.
 *
 * Pure: no I/O.
 */
import { renderPrompt, type RenderedPrompt } from '../generate/defaultPrompts';

/** The placeholders a rubric prompt may use. */
export const JUDGE_PLACEHOLDERS: readonly string[] = ['question', 'answer_a', 'answer_b', 'reference'];

const RULES = `Rules:
- Judge the content only. Do not let the order of the answers influence you: the first answer is
  no more likely to be better than the second.
- Do not favour the longer answer. Length is a merit only when the extra text helps the person;
  padding, repetition and needless detail are faults.
- Do not let the names "Assistant A" and "Assistant B" influence you.
- When a reference answer is given, use it to check facts, not as the only acceptable wording.
- When both answers are equally good, or equally poor, say it is a tie.

First explain your comparison in a few short paragraphs. Then, on the last line, write only your
verdict, exactly one of:
[[A]] if Assistant A's answer is better,
[[B]] if Assistant B's answer is better,
[[C]] for a tie.`;

const USER = `user:
[Question]
{{question}}
{{reference}}
[The Start of Assistant A's Answer]
{{answer_a}}
[The End of Assistant A's Answer]

[The Start of Assistant B's Answer]
{{answer_b}}
[The End of Assistant B's Answer]
`;

export const LEAGUE_RUBRIC = `---
description: Compares two answers to one question for helpfulness, accuracy, relevance and depth
temperature: 0
max_tokens: 1500
---
system:
You are an impartial judge comparing two AI assistants' answers to the same user question.
Decide which answer is better, weighing:
- Helpfulness: does it solve the user's actual problem?
- Accuracy: is everything it states correct? A confident error is worse than a gap.
- Relevance: does it stay on the question asked?
- Depth: does it give the detail the question needs, and no more?

${RULES}

${USER}`;

export const HUMAN_PREFERENCE_RUBRIC = `---
description: Compares two answers the way residents rating a public-services assistant do
temperature: 0
max_tokens: 1500
---
system:
You are an impartial judge comparing two AI assistants' answers to the same question from a
resident who is asking a public-services assistant for help. Judge them the way the residents
themselves do. Decide which answer is better, weighing:
- Helpfulness: does it solve the person's actual problem?
- Accuracy: is everything it states correct? A confident error is worse than a gap.
- Relevance: does it stay on the question asked?
- Depth: does it give the detail the question needs, and no more?
- Empathy: when the question shows worry, stress or hardship, does the answer acknowledge it
  warmly and briefly? Residents mark down answers that are curt or cold, even correct ones.
- Plain language: could a busy, worried person understand it at once, without jargon?
- Actionable next steps: does it say what to do next: where to go, what to bring, what it
  costs, how long it takes?
- Concision: is it as short as it can be while doing all of the above?

${RULES}

${USER}`;

export interface JudgePair {
  readonly question: string;
  /** The answer shown first, as Assistant A. */
  readonly answerA: string;
  /** The answer shown second, as Assistant B. */
  readonly answerB: string;
  /** A reference answer, when the question has one; empty counts as none. */
  readonly reference?: string;
}

/** What `{{reference}}` is filled with: a reference section, or nothing. */
export function referenceSection(reference: string | undefined): string {
  const text = reference?.trim() ?? '';
  return text === '' ? '' : `\n[The Start of the Reference Answer]\n${text}\n[The End of the Reference Answer]\n`;
}

/**
 * The messages and settings of a rubric prompt for one pair of answers. Throws a
 * `PromptRenderError` when the rubric has errors, no user section, or a placeholder other than
 * those in `JUDGE_PLACEHOLDERS`.
 */
export function judgeMessages(rubricText: string, pair: JudgePair): RenderedPrompt {
  return renderPrompt(rubricText, {
    question: pair.question,
    answer_a: pair.answerA,
    answer_b: pair.answerB,
    reference: referenceSection(pair.reference),
  });
}
