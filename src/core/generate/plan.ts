/**
 * What a generation run asks for: per topic, how many questions and how many of them out of scope
 * (to be refused), and what is left to ask when a run is resumed over a dataset that already
 * covers some topics.
 *
 * Pure and deterministic: the same topics, options and seed always give the same plan.
 */
import { seededRandom } from '../random';

/** A topic as the topics file gives it. `questions` overrides the run's per-topic count. */
export interface TopicInput {
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly notes?: string;
  readonly questions?: number;
}

export interface PlannedTopic {
  readonly topic: TopicInput;
  /** Questions to ask for (and pairs to make). */
  readonly questions: number;
  /** How many of them are out of scope, answered with a kind refusal; at most `questions`. */
  readonly refusals: number;
}

export interface PlanOptions {
  /** Questions per topic, for topics that do not set their own. */
  readonly perTopic: number;
  /** The share of all questions that are out of scope, from 0 to 0.5 (clamped). */
  readonly refusalShare: number;
  /** Decides which topics get the out-of-scope questions a fair split leaves over. */
  readonly seed: number;
}

/** The most out-of-scope share a plan takes: a dataset of mostly refusals teaches a model to refuse. */
export const MAX_REFUSAL_SHARE = 0.5;

/**
 * One entry per topic, in the topics' order. Out-of-scope questions are spread by largest
 * remainder: the total is the share of all questions, rounded; each topic gets the whole part of
 * its own share, and the questions left over go to the topics with the largest fractional parts,
 * ties broken in a seeded random order (so with equal topics they do not all land on the first).
 */
export function planTopics(topics: readonly TopicInput[], options: PlanOptions): PlannedTopic[] {
  const share = clamp(options.refusalShare, 0, MAX_REFUSAL_SHARE);
  const perTopic = whole(options.perTopic) ?? 0;
  const counts = topics.map((t) => whole(t.questions) ?? perTopic);
  const total = counts.reduce((a, b) => a + b, 0);
  const target = Math.round(total * share);
  const refusals = counts.map((n) => Math.floor(n * share + 1e-9));
  let left = target - refusals.reduce((a, b) => a + b, 0);
  const random = seededRandom(options.seed);
  const order = counts
    .map((n, i) => ({ i, fraction: Math.round((n * share - (refusals[i] ?? 0)) * 1e6), tie: random() }))
    .sort((a, b) => b.fraction - a.fraction || a.tie - b.tie);
  for (const { i } of order) {
    if (left <= 0) break;
    if ((refusals[i] ?? 0) < (counts[i] ?? 0)) {
      refusals[i] = (refusals[i] ?? 0) + 1;
      left--;
    }
  }
  return topics.map((topic, i) => ({ topic, questions: counts[i] ?? 0, refusals: refusals[i] ?? 0 }));
}

/**
 * The part of `plan` still to do, given how many rows the dataset already has per topic id: a
 * topic covered by k rows asks for `questions − k` more, and topics already covered are left out.
 * The rows are taken to hold out-of-scope questions in the planned proportion (the dataset does
 * not say which rows are refusals), so a topic keeps `refusals − round(k × refusals / questions)`
 * of its out-of-scope questions.
 */
export function remaining(plan: readonly PlannedTopic[], coverage: ReadonlyMap<string, number>): PlannedTopic[] {
  const out: PlannedTopic[] = [];
  for (const entry of plan) {
    const covered = Math.max(0, Math.floor(coverage.get(entry.topic.id) ?? 0));
    const questions = Math.max(0, entry.questions - covered);
    if (questions === 0) continue;
    const done = entry.questions === 0 ? 0 : Math.round((Math.min(covered, entry.questions) * entry.refusals) / entry.questions);
    out.push({ topic: entry.topic, questions, refusals: Math.min(questions, Math.max(0, entry.refusals - done)) });
  }
  return out;
}

function whole(n: number | undefined): number | undefined {
  return n === undefined || !Number.isFinite(n) ? undefined : Math.max(0, Math.floor(n));
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min;
}
