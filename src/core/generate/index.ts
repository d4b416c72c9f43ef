/**
 * Question/answer pair generation from a topics plan: the default prompts, reading the
 * questions a model wrote, the plan (with resume), and the run itself. Pure: the model is
 * reached through an `ask` function the caller supplies.
 */
export {
  ANSWER_PLACEHOLDERS,
  DEFAULT_ANSWER_PROMPT,
  DEFAULT_QUESTIONS_PROMPT,
  LENGTH_HINTS,
  PromptRenderError,
  QUESTION_PLACEHOLDERS,
  promptError,
  renderPrompt,
  type AnswerLength,
  type PromptMessage,
  type RenderedPrompt,
} from './defaultPrompts';
export { parseQuestions, type ParsedQuestions } from './questions';
export { MAX_REFUSAL_SHARE, planTopics, remaining, type PlanOptions, type PlannedTopic, type TopicInput } from './plan';
export {
  DuplicateFilter,
  runGeneration,
  type AnswerFailure,
  type Ask,
  type AskOptions,
  type AskStage,
  type GeneratedPair,
  type GenerationEvent,
  type GenerationOptions,
  type GenerationStage,
  type GenerationSummary,
  type TopicFailure,
} from './pipeline';
