/**
 * TuneLab's settings as one typed, normalized object. Pure (no `vscode`): the caller passes a
 * getter over the raw configuration, so normalization is tested without an editor.
 * To add a setting: see CONTRIBUTING.md, "Add a setting".
 */
export interface TuneLabSettings {
  /** Path of the topics file, relative to a workspace folder (or absolute). */
  readonly topicsFile: string;
}

export const DEFAULT_SETTINGS: TuneLabSettings = {
  topicsFile: 'topics.jsonc',
};

/** Reads a raw value of the `tunelab` section, as `WorkspaceConfiguration.get` does. */
export type RawSettingGetter = (key: string) => unknown;

export function normalizeSettings(get: RawSettingGetter): TuneLabSettings {
  const topicsFile = get('topics.file');
  return {
    topicsFile: typeof topicsFile === 'string' && topicsFile.trim() !== '' ? topicsFile.trim() : DEFAULT_SETTINGS.topicsFile,
  };
}
