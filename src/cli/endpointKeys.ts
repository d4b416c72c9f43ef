/**
 * Which key from the environment the CLI may send to an endpoint, and where.
 *
 * An endpoints file names hosts (a `url`), and a file can come from anywhere: a settings.json
 * synced from another machine, a project's own `--endpoints` file. So a key goes only where it
 * belongs:
 *
 * - `TUNELAB_API_KEY_<ID>` is the endpoint's own key: set for that id, it is sent to that
 *   endpoint's host.
 * - The generic variables, `OPENAI_API_KEY` and `TUNELAB_API_KEY`, name no host of their own, so
 *   they go only to the one host TuneLab itself knows: OpenAI's API, https://api.openai.com (the
 *   `openai` client's default base URL and the variable it reads: node_modules/openai/client.js,
 *   openai-node 6.x `baseURL` and `apiKey` defaults). Any other host, an `openai` endpoint with
 *   its own `url` included, needs its own variable.
 * - Azure OpenAI takes only its own variable. `AZURE_OPENAI_API_KEY` (what `AzureOpenAI` reads,
 *   node_modules/openai/azure.js) is one resource's key, and the file says which resource, so it
 *   is never read.
 * - No key goes over plain http except to this machine (loopback), where it never crosses a
 *   network.
 * - Ids are turned into variable names by upper-casing them and writing any other character as
 *   `_`, so `a-b`, `a.b` and `A_B` read the same variable: two such endpoints in one file would
 *   send one's key to the other's host, which is an error naming both.
 *
 * Pure: the environment is passed in.
 */
import { kindLabel, usesApiKey, type EndpointConfig } from '../endpoints/config';

type Env = Readonly<Record<string, string | undefined>>;

/** OpenAI's own API, where the generic variables belong (openai-node's default base URL). */
export const OPENAI_API_URL = 'https://api.openai.com/v1';
/** The variables that name no host: sent to OpenAI's own API only, in this order after the endpoint's own. */
export const GENERIC_KEY_VARIABLES = ['TUNELAB_API_KEY', 'OPENAI_API_KEY'] as const;
/** What `AzureOpenAI` reads by default; never read here (see above). */
export const AZURE_KEY_VARIABLE = 'AZURE_OPENAI_API_KEY';

/** The environment variable that holds an endpoint's own key: `TUNELAB_API_KEY_<ID>`. */
export function keyVariable(id: string): string {
  return `TUNELAB_API_KEY_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** A variable's value, trimmed; undefined when unset or blank. */
function valueOf(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** The URL the endpoint's requests go to: its `url`, else OpenAI's API for `openai`. */
function destinationOf(config: EndpointConfig): string | undefined {
  return config.url ?? (config.kind === 'openai' ? OPENAI_API_URL : undefined);
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Whether `url` is OpenAI's own API: https, host api.openai.com, the default port. */
export function isOpenAIApi(url: string): boolean {
  const u = parseUrl(url);
  return u !== undefined && u.protocol === 'https:' && u.hostname === 'api.openai.com' && u.port === '';
}

/**
 * Whether `url`'s host is this machine: `localhost`, 127.0.0.0/8, `::1` or an IPv4-mapped
 * 127.x address, as the URL parser normalizes them (so `127.1` and `0x7f.0.0.1` count too). The
 * hosts the W3C Secure Contexts spec treats as trustworthy over http
 * (https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy; RFC 6761 §6.3 for
 * `localhost`, RFC 1122 §3.2.1.3 for 127/8, RFC 4291 §2.5.3 for ::1). Names under `.localhost`
 * are left out: whether they reach this machine depends on the resolver.
 */
export function isLoopback(url: string): boolean {
  const u = parseUrl(url);
  if (u === undefined) return false;
  const host = u.hostname;
  if (host === 'localhost' || host === '[::1]') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  // ::ffff:127.x.y.z, serialized by the URL parser as [::ffff:7fxx:xxxx].
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}

/** Scheme, host and port of a URL for messages (never its path or query). */
function originOf(url: string): string {
  return parseUrl(url)?.origin ?? url;
}

export interface KeyChoice {
  /** The key to send; undefined sends none. */
  readonly key?: string;
  /** The variable it came from. */
  readonly variable?: string;
  /** Why the endpoint cannot be used as set up: a usage error, nothing is sent. */
  readonly problem?: string;
  /** Worth telling the user, but the run goes on (a generic key set that was not sent). */
  readonly warning?: string;
}

const list = (names: readonly string[]): string => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] ?? ''}`);

/**
 * The key `config` gets from `env`, or why it gets none. `all` is every endpoint of the file (for
 * ids that share a variable); `file` names the file in messages.
 */
export function chooseKey(config: EndpointConfig, env: Env, all: readonly EndpointConfig[], file: string): KeyChoice {
  const mode = usesApiKey(config.kind);
  if (mode === 'none') return {};
  const own = keyVariable(config.id);
  const ownKey = valueOf(env, own);
  const name = `endpoint "${config.id}" (${kindLabel(config.kind)})`;

  if (ownKey !== undefined) {
    const twins = all.filter((e) => e.id !== config.id && usesApiKey(e.kind) !== 'none' && keyVariable(e.id) === own);
    const twin = twins[0];
    if (twin !== undefined) {
      return {
        problem: `endpoints "${config.id}" and "${twin.id}" in ${file} both take their key from ${own} (an id is upper-cased and its other characters become _), so the key set for one would be sent to the other's server. Rename one of them in ${file} to an id that differs in more than case and punctuation (e.g. "${config.id}2"), and set its own variable.`,
      };
    }
  }

  const url = destinationOf(config);
  const generic = url !== undefined && isOpenAIApi(url);
  const names = generic ? [own, ...GENERIC_KEY_VARIABLES] : [own];
  const variable = names.find((n) => valueOf(env, n) !== undefined);
  const key = variable === undefined ? undefined : valueOf(env, variable);

  if (key !== undefined && variable !== undefined) {
    const u = url === undefined ? undefined : parseUrl(url);
    if (url === undefined || u === undefined) {
      return { problem: `${name}: its "url" ${JSON.stringify(url ?? '')} is not a URL, so its key from ${variable} is not sent anywhere. Fix the "url" in ${file}.` };
    }
    if (u.protocol !== 'https:' && !isLoopback(url)) {
      return {
        problem: `${name} would send its key from ${variable} over plain http to ${originOf(url)}, where anyone on the way can read it. Give it an https:// "url" in ${file}, or reach the server through a tunnel to this machine (e.g. ssh -L 8000:localhost:8000 <server>, then "url": "http://127.0.0.1:8000/v1"); if the server needs no key, unset ${variable}.`,
      };
    }
    return { key, variable };
  }

  // No key: say why a generic variable that is set was not used.
  const unused = [...(generic ? [] : GENERIC_KEY_VARIABLES), ...(config.kind === 'azure-openai' ? [AZURE_KEY_VARIABLE] : [])].filter((n) => valueOf(env, n) !== undefined);
  const where = url === undefined ? 'its server' : originOf(url);
  const why = unused.length === 0
    ? ''
    : config.kind === 'azure-openai' && unused.includes(AZURE_KEY_VARIABLE)
      ? ` (${list(unused)} ${unused.length === 1 ? 'is' : 'are'} set but not read: an Azure key belongs to one resource, and only the endpoint's own variable says it is this one's)`
      : ` (${list(unused)} ${unused.length === 1 ? 'is' : 'are'} set but only sent to OpenAI's own API, ${OPENAI_API_URL}, not to ${where})`;
  if (mode === 'required') {
    return { problem: `${name} needs an API key: set ${list(names)} in the environment${why}.` };
  }
  if (unused.length > 0) {
    return { warning: `${name} gets no key${why}. If ${where} needs one, set ${own}.` };
  }
  return {};
}

/** The help paragraph on keys that `tunelab generate` and `tunelab judge` share. */
export const KEYS_HELP = `API keys come from the environment, never from files, and go only where they belong: an
endpoint's own TUNELAB_API_KEY_<ID> (the id in upper case, other characters as _) to its url;
TUNELAB_API_KEY and OPENAI_API_KEY only to OpenAI's own API (https://api.openai.com), never
to another url; Azure OpenAI only its own variable (AZURE_OPENAI_API_KEY is not read). No key
goes over plain http except to this machine (localhost, 127.0.0.1, [::1]), and ids that
differ only in case and punctuation (a-b, a.b, A_B) may not share one variable. SageMaker and
Bedrock endpoints use your AWS credentials. Keys (and their first 8 or more characters) and
"headers" values are masked in everything printed.`;
