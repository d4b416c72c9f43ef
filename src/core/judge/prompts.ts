/**
 * The judge's rubric prompts, as TuneLab prompt files (`.tlprompt`), and rendering one for a pair
 * of answers.
 *
 * - `LEAGUE_RUBRIC` weighs helpfulness, accuracy, relevance and depth.
 * - `HUMAN_PREFERENCE_RUBRIC` weighs what people who rate public-services answers reward, in
 *   their order: empathy first, complete next steps, then accuracy (an invented fee or time is an
 *   error), relevance, plain language and no padding. They mark down terse, cold answers even
 *   when those are correct, so concision here means "no filler", never "short": the rubric
 *   tells the judge never to prefer an answer for being shorter.
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
description: Compares two answers the way residents rating a public-services assistant do - empathy first, complete next steps, no padding
temperature: 0
max_tokens: 1500
---
system:
You are an impartial judge comparing two AI assistants' answers to the same question from a
resident who is asking a public-services assistant for help. Judge them the way the residents
themselves do: they reward warmth and complete help above all, and they mark down answers that
are correct but curt or cold. Decide which answer is better, weighing, in this order:
- Empathy: when the question shows worry, stress or hardship, does the answer first acknowledge
  the person's situation, warmly and sincerely, in words that fit it rather than a stock phrase?
  An answer that goes straight to the rules when the person is plainly struggling falls short.
- Complete next steps: does it leave the person knowing exactly what to do: where to go (the
  office or website, by its usual name), what to bring or prepare, what happens next, and where
  to check fees, processing times and deadlines? Leaving out a step the person needs is a fault.
- Accuracy: is everything it states correct? A confident error is worse than a gap. An
  invented fee, processing time, deadline or phone number is an error, however plausible it
  sounds; when a figure is not known, saying where to check the current one is right.
- Relevance: does it answer the question asked, and the person's situation?
- Plain language: could a busy, worried person understand it at once, without jargon?
- No padding: no filler, repetition, boilerplate or generic disclaimers; every sentence should
  help the person. Warmth and needed steps are never padding.

An answer that is correct but curt, cold or missing next steps loses to one that is as correct
and also warm and complete. Never prefer an answer for being shorter: length is neither a merit
nor a fault in itself; judge what the words do for the person.

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
