/**
 * What TuneLab knows of Bedrock model families from their ids, without the SDK (the editor and
 * the Prompt Lab panel read it too). Pure.
 */

/**
 * The Anthropic model a Bedrock id names (a model id, a cross-region inference profile id such
 * as `us.anthropic.claude-sonnet-4-5-20250929-v1:0`, or an ARN ending in one), with its version.
 */
function claudeOf(modelId: string): { tier: string; major: number; minor: number } | undefined {
  // The minor version is one digit; an 8-digit date ("claude-sonnet-4-20250514") is not one.
  const m = /anthropic\.claude-(opus|sonnet|haiku)-(\d+)(?:-(\d)(?!\d))?/i.exec(modelId);
  if (m === null) return undefined;
  return { tier: (m[1] ?? '').toLowerCase(), major: Number(m[2]), minor: m[3] === undefined ? 0 : Number(m[3]) };
}

/**
 * Why a model takes `temperature` or `top_p` but not both, in words for the Prompt Lab panel; undefined
 * for a model that takes both. Claude Opus 4.1 and every Claude from 4.5 on refuse the pair with
 * Bedrock's ValidationException "`temperature` and `top_p` cannot both be specified for this
 * model. Please use only one." (Anthropic's request parameters on Bedrock:
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html;
 * reported for Sonnet 4.5 in BerriAI/litellm#15070, Haiku 4.5 in aws-samples/bedrock-access-gateway#191,
 * Sonnet 4.6 and Opus 4.5 in aws-samples/bedrock-access-gateway#238, Opus 4.1 in
 * open-webui/functions#9). Claude 3.x, Sonnet 4 and Opus 4 take both.
 */
export function samplingLimit(modelId: string): string | undefined {
  const claude = claudeOf(modelId);
  if (claude === undefined) return undefined;
  const version = claude.major + claude.minor / 10;
  const refuses = version >= 4.5 || (claude.tier === 'opus' && version >= 4.1);
  if (!refuses) return undefined;
  const name = `Claude ${claude.tier.charAt(0).toUpperCase()}${claude.tier.slice(1)} ${claude.major}${claude.minor === 0 ? '' : `.${claude.minor}`}`;
  return `${name} takes temperature or top_p, not both: TuneLab sends temperature, so top_p is not used.`;
}

/** Bedrock's refusal of the pair, for a model `samplingLimit` could not recognise by its id. */
export function refusesSamplingPair(message: string): boolean {
  return /temperature.{0,20}top_?p.{0,40}cannot both be specified/i.test(message);
}
