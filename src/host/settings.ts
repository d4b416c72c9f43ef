/**
 * TuneLab's settings as one typed, normalized object, grouped by section. Pure (no `vscode`): the
 * caller passes the raw layers of each key (what `WorkspaceConfiguration.inspect` returns), so
 * normalization is tested without an editor. host/config.ts reads them, once per workspace folder.
 * To add a setting: see CONTRIBUTING.md, "Add a setting".
 */
import { FORMAT_IDS } from '../core/formats/index';
import type { ConfigLayer } from '../core/lint/config';
import type { FormatId } from '../core/lint/types';
import { parseEndpoints, type EndpointConfig } from '../endpoints/config';

/** Every key of the `tunelab` section (package.json contributes.configuration), without the prefix. */
export const SETTING_KEYS = [
  'topics.file',
  'generate.topicField',
  'dataset.format',
  'lint.rules',
  'lint.nearDuplicateThreshold',
  'lint.targetModel',
  'endpoints',
  'curation.threshold',
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/** The groups of settings a consumer listens to: a key's first part. */
export const SETTINGS_SECTIONS = ['topics', 'generate', 'dataset', 'lint', 'endpoints', 'curation'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

/**
 * The sections a configuration change touches; `affects` is the change's
 * `affectsConfiguration` (given `tunelab.<section>`).
 */
export function changedSections(affects: (qualifiedSection: string) => boolean): ReadonlySet<SettingsSection> {
  return new Set(SETTINGS_SECTIONS.filter((s) => affects(`tunelab.${s}`)));
}

/** One key's value at each level, as `WorkspaceConfiguration.inspect` returns it. */
export interface RawSettingLayers {
  readonly defaultValue?: unknown;
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
  readonly globalLanguageValue?: unknown;
  readonly workspaceLanguageValue?: unknown;
  readonly workspaceFolderLanguageValue?: unknown;
}

/** Reads the layers of one key of the `tunelab` section (undefined: no such key). */
export type RawSettingReader = (key: SettingKey) => RawSettingLayers | undefined;

/**
 * Where a value came from. `user`: the user's own settings; `workspace`: the workspace's or a
 * folder's settings, which a cloned repository can ship; `default`: nobody set it.
 */
export type SettingSource = 'default' | 'user' | 'workspace';

/** A value somebody set, as given (not yet validated), and where it was set. */
export interface ExplicitValue {
  readonly value: unknown;
  readonly source: SettingSource;
}

/** A lint configuration layer from the settings, and whether the workspace supplied it (for Restricted Mode). */
export interface LintSettingsLayer {
  readonly layer: ConfigLayer;
  readonly workspace: boolean;
}

export interface TuneLabSettings {
  readonly topics: {
    /** Path of the topics file, relative to a workspace folder (or absolute). */
    readonly file: string;
    /** A path the workspace supplied must resolve inside its folder (host/topicsFile.ts). */
    readonly fileSource: SettingSource;
  };
  readonly generate: {
    /** The key that records the topic in each generated row; '' leaves it out. */
    readonly topicField: string;
  };
  readonly dataset: {
    /** The format to check datasets as ('auto': detect); an unknown value reads as 'auto'. */
    readonly format: FormatId | 'auto';
    /** The value set, as given: the lint reports an unknown one (core/lint/config.ts). */
    readonly explicitFormat: ExplicitValue | undefined;
  };
  readonly lint: {
    /**
     * The settings' layers of the lint configuration, merged after the project's tunelab.jsonc
     * and validated there (core/lint/config.ts `resolveSettings`), which names their source in
     * its problems. Only values somebody set take part, so a default never overrides the project file.
     */
    readonly layers: readonly LintSettingsLayer[];
  };
  readonly endpoints: {
    /** The user's endpoints: only the user's own value is read, so a workspace cannot redirect a key. */
    readonly list: readonly EndpointConfig[];
    readonly problems: readonly string[];
    /** The user's entries as written (an empty list if they are not a list), for appending one. */
    readonly userEntries: readonly unknown[];
  };
  readonly curation: {
    /** Rows scored below this are low: a whole number from 1 to 10. */
    readonly threshold: number;
  };
}

export const DEFAULT_TOPICS_FILE = 'topics.jsonc';
export const DEFAULT_THRESHOLD = 5;

/** A curation threshold: a whole number from 1 to 10. */
export function isThreshold(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10;
}

/**
 * The value set for a key and where, in VS Code's order: a language-specific value wins over any
 * plain one, a folder's over the workspace's over the user's. Undefined when nobody set it.
 */
export function explicitValue(layers: RawSettingLayers | undefined): ExplicitValue | undefined {
  if (layers === undefined) return undefined;
  const ordered: readonly (readonly [unknown, SettingSource])[] = [
    [layers.workspaceFolderLanguageValue, 'workspace'],
    [layers.workspaceLanguageValue, 'workspace'],
    [layers.globalLanguageValue, 'user'],
    [layers.workspaceFolderValue, 'workspace'],
    [layers.workspaceValue, 'workspace'],
    [layers.globalValue, 'user'],
  ];
  for (const [value, source] of ordered) if (value !== undefined) return { value, source };
  return undefined;
}

/** The value in effect: the one set, else the manifest's default. */
function effectiveValue(layers: RawSettingLayers | undefined): ExplicitValue {
  return explicitValue(layers) ?? { value: layers?.defaultValue, source: 'default' };
}

function trimmed(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isFormat(value: unknown): value is FormatId | 'auto' {
  return value === 'auto' || (typeof value === 'string' && (FORMAT_IDS as readonly string[]).includes(value));
}

/** Reads every setting once: defaults, trimming and range checks happen here and nowhere else. */
export function normalizeSettings(read: RawSettingReader): TuneLabSettings {
  const topicsFile = effectiveValue(read('topics.file'));
  const file = trimmed(topicsFile.value);

  const format = effectiveValue(read('dataset.format'));
  const explicitFormat = explicitValue(read('dataset.format'));

  const threshold = effectiveValue(read('curation.threshold')).value;

  // Only the user's value: the setting is application scoped, and a workspace must never point a key elsewhere.
  const userEndpoints = read('endpoints')?.globalValue;
  const { endpoints, problems } = parseEndpoints(userEndpoints);

  return {
    topics: {
      file: file ?? DEFAULT_TOPICS_FILE,
      fileSource: file === undefined ? 'default' : topicsFile.source,
    },
    generate: { topicField: trimmed(effectiveValue(read('generate.topicField')).value) ?? '' },
    dataset: { format: isFormat(format.value) ? format.value : 'auto', explicitFormat },
    lint: { layers: lintLayers(read, explicitFormat) },
    endpoints: { list: endpoints, problems, userEntries: Array.isArray(userEndpoints) ? (userEndpoints as unknown[]) : [] },
    curation: { threshold: isThreshold(threshold) ? threshold : DEFAULT_THRESHOLD },
  };
}

/**
 * The settings' lint layers: the format, threshold and target model as one layer ("Settings"),
 * and the rules as another, marked as the workspace's when a workspace set them (Restricted
 * Mode leaves out the patterns such a layer supplies; core/lint/config.ts `untrustedLayers`).
 */
function lintLayers(read: RawSettingReader, format: ExplicitValue | undefined): LintSettingsLayer[] {
  const layers: LintSettingsLayer[] = [{
    layer: {
      source: 'Settings',
      format: format?.value,
      nearDuplicateThreshold: explicitValue(read('lint.nearDuplicateThreshold'))?.value,
      targetModel: explicitValue(read('lint.targetModel'))?.value,
    },
    workspace: false,
  }];
  const rules = explicitValue(read('lint.rules'));
  if (rules !== undefined) {
    const workspace = rules.source === 'workspace';
    layers.push({ layer: { source: workspace ? 'Workspace settings' : 'Settings', rules: rules.value }, workspace });
  }
  return layers;
}

/** The settings when nothing is set, not even the manifest's defaults. */
export const DEFAULT_SETTINGS: TuneLabSettings = normalizeSettings(() => undefined);
