/**
 * Does an answer read like a refusal? Used for dataset statistics: the share of refusal-style
 * answers. A few are healthy (questions the assistant should decline); many teach the model to
 * refuse what it could answer, which LLM judges punish.
 *
 * A refusal declines in its opening: "I'm sorry, but I can't…", "I cannot help with…", "As an
 * AI…", "Unfortunately, I'm unable to…" — often followed by a redirect to an official channel,
 * which the decline already identifies. Apologies alone ("I'm sorry to hear that. Here's how…")
 * and redirects alone ("Contact the DMV at…") are not refusals.
 */

/** Only the opening is read: a refusal says so at once, and a long answer that mentions "I can't" later is not one. */
const OPENING = 300;

const CANT = String.raw`(?:can['’]?t|cannot|can not|am unable to|['’]m unable to|am not able to|['’]m not able to|won['’]t be able to|will not be able to|am not allowed to|['’]m not allowed to|am not permitted to|['’]m not permitted to|must decline|have to decline|['’]m not in a position to|am not in a position to)`;
const DO = String.raw`(?:help|assist|provide|answer|give|share|offer|do|comply|fulfil|fulfill|support|discuss|engage|respond|create|generate|write|advise|recommend|access|look up|check|process|complete|make|tell|disclose|reveal)`;

const REFUSAL = new RegExp([
  // "I can't help with that", "I'm unable to provide legal advice"
  // (not "I can't wait to help", "I cannot stress enough")
  String.raw`(?:^|[.!?]\s+|,\s*)I\s*${CANT}\s+(?!wait|stress|emphasi[sz]e|overstate|thank)(?:\w+\s+){0,2}?${DO}\b`,
  // "I'm sorry, but I …" / "Sorry, I …" / "I apologize, but I …" / "Unfortunately, I …" followed by a decline
  String.raw`^(?:I['’]m sorry|I am sorry|Sorry|I apologi[sz]e|Apologies|Unfortunately|Regrettably|I['’]m afraid|I am afraid)\b[^.!?\n]{0,60}?\bI\s*${CANT}`,
  // "As an AI (language model), I …"
  String.raw`^(?:[^.!?\n]{0,40}?\b)?as an? (?:AI|artificial intelligence|language model|large language model|AI assistant|AI language model)\b`,
  // "I don't have access to your records", at the start
  String.raw`^I\s*(?:don['’]t|do not) have (?:access to|the ability to)\b`,
].join('|'), 'i');

/** True when the answer reads like a refusal to help (see the module comment for what counts). */
export function isRefusal(text: string): boolean {
  const opening = text.length > OPENING ? text.slice(0, OPENING) : text;
  return REFUSAL.test(opening.trimStart());
}
