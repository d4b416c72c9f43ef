/**
 * The hyperparameters of a model as SageMaker's public hub describes them, turned into the specs
 * the form and the validator use. The hub spec is authoritative for the version a job runs; the
 * table in ./jumpstartHyperparameters.ts only adds its one-line explanations and order.
 *
 * The hub document (DescribeHubContent on SageMakerPublicHub, its `HubContentDocument` JSON)
 * lists them as `Hyperparameters: [{Name, Type, Default, Options?, Min?, Max?, ExclusiveMin?,
 * ExclusiveMax?, Scope}]`, Type one of "int", "float", "text", booleans being "text" with
 * Options ["True", "False"]. Source: the SageMaker Python SDK, sagemaker/jumpstart/types.py
 * (`JumpStartHyperparameter`, read from hub content by converting the keys to snake_case) and
 * sagemaker/jumpstart/validators.py (min/max inclusive, exclusive_min/exclusive_max strict),
 * https://github.com/aws/sagemaker-python-sdk/tree/master/src/sagemaker/jumpstart, read 2026-12-03.
 */
import { LLAMA3_8B_HYPERPARAMETERS, type HyperparameterKind, type HyperparameterSpec } from './jumpstartHyperparameters';

const HUB_SOURCE = 'DescribeHubContent (SageMakerPublicHub), HubContentDocument.Hyperparameters';

export interface HubReadResult {
  readonly specs: readonly HyperparameterSpec[];
  /** Entries the reader skipped, each with why. */
  readonly skipped: readonly string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function defaultText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return undefined;
}

function readOne(entry: unknown, known: ReadonlyMap<string, HyperparameterSpec>): HyperparameterSpec | string {
  if (!isRecord(entry)) return 'an entry that is not an object';
  const name = entry.Name;
  if (typeof name !== 'string' || name === '') return 'an entry without a Name';
  const type = entry.Type;
  if (type !== 'int' && type !== 'float' && type !== 'text') return `${name}: unknown Type ${JSON.stringify(type)}`;
  const options = Array.isArray(entry.Options) && entry.Options.every((o): o is string => typeof o === 'string') ? entry.Options : undefined;
  const isBoolean = type === 'text' && options !== undefined && options.length === 2 && options.includes('True') && options.includes('False');
  const kind: HyperparameterKind = isBoolean ? 'boolean' : type;
  const ours = known.get(name);
  const min = num(entry.Min);
  const max = num(entry.Max);
  const exMin = num(entry.ExclusiveMin);
  const exMax = num(entry.ExclusiveMax);
  const numeric = kind === 'int' || kind === 'float';
  return {
    name,
    kind,
    default: defaultText(entry.Default),
    ...(numeric && exMin !== undefined ? { min: { value: exMin, inclusive: false } } : numeric && min !== undefined ? { min: { value: min, inclusive: true } } : {}),
    ...(numeric && exMax !== undefined ? { max: { value: exMax, inclusive: false } } : numeric && max !== undefined ? { max: { value: max, inclusive: true } } : {}),
    ...(kind === 'text' && options !== undefined ? { options } : {}),
    // The layer-name check for target_modules stays: the hub gives it as free text.
    ...(kind === 'text' && options === undefined && ours?.names !== undefined ? { names: ours.names } : {}),
    explain: ours?.explain ?? 'No explanation in TuneLab\'s table; see the model\'s documentation.',
    source: HUB_SOURCE,
  };
}

/**
 * The specs of a hub document's `Hyperparameters` (any JSON: it comes from the network), in the
 * order of TuneLab's table first and then the hub's own order.
 */
export function specsFromHub(hubHyperparameters: unknown): HubReadResult {
  if (!Array.isArray(hubHyperparameters)) return { specs: [], skipped: ['Hyperparameters is not a list'] };
  const known = new Map(LLAMA3_8B_HYPERPARAMETERS.map((h) => [h.name, h]));
  const specs: HyperparameterSpec[] = [];
  const skipped: string[] = [];
  for (const entry of hubHyperparameters as readonly unknown[]) {
    const r = readOne(entry, known);
    if (typeof r === 'string') skipped.push(r);
    else specs.push(r);
  }
  const rank = (name: string): number => {
    const i = LLAMA3_8B_HYPERPARAMETERS.findIndex((h) => h.name === name);
    return i === -1 ? LLAMA3_8B_HYPERPARAMETERS.length : i;
  };
  // A stable sort keeps the hub's order among the names TuneLab's table does not have.
  specs.sort((a, b) => rank(a.name) - rank(b.name));
  return { specs, skipped };
}
