import * as vscode from 'vscode';
import { usesApiKey, type EndpointConfig } from '../endpoints/config';
import type { EndpointBackends } from '../endpoints/backends';
import type { Scheduler } from '../endpoints/scheduler';
import { readJumpStartTemplate, type JumpStartTemplate } from '../endpoints/sagemaker/payloads';
import type { ChatChunk, ChatEndpoint, ChatRequest } from '../endpoints/types';
import type { Ask } from '../core/generate/pipeline';
import type { Config } from './config';
import type { TuneLabSettings } from './settings';
import { trust } from './trust';

const KEY_PREFIX = 'tunelab.endpointKey.';

/**
 * The user's endpoints and their keys. Endpoints come from the `tunelab.endpoints` setting's
 * *user* value only (host/settings.ts): the setting is application scoped, and reading only the
 * global value means a workspace's settings can never point a user's key at another host. Keys
 * live in SecretStorage, one per endpoint id, never in settings, logs or messages.
 */
export class EndpointRegistry implements vscode.Disposable {
  private current: TuneLabSettings['endpoints'];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: { dispose(): unknown }[] = [this.changed];
  /** One scheduler per endpoint id, shared by every caller; rebuilt when the endpoints change. */
  private readonly schedulers = new Map<string, Scheduler>();

  constructor(
    private readonly config: Config,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
    /** The model clients, loaded on the first call (see src/endpoints/backends.ts). */
    readonly backends: () => Promise<EndpointBackends>,
  ) {
    this.current = config.settings.endpoints;
    this.disposables.push(config.onDidChangeSection(['endpoints'], () => {
      this.current = config.settings.endpoints;
      this.schedulers.clear(); // calls in flight keep their scheduler; new ones get the new limits
      for (const p of this.current.problems) this.log.warn(p);
      this.changed.fire();
    }));
    for (const p of this.current.problems) this.log.warn(p);
  }

  get endpoints(): readonly EndpointConfig[] {
    return this.current.list;
  }

  /** Adds an endpoint to the user's settings (never the workspace's: only the user's are read). */
  async addToUserSettings(entry: Readonly<Record<string, string | boolean>>): Promise<void> {
    await this.config.update('endpoints', [...this.config.settings.endpoints.userEntries, entry], vscode.ConfigurationTarget.Global);
  }

  get problems(): readonly string[] {
    return this.current.problems;
  }

  get(id: string): EndpointConfig | undefined {
    return this.current.list.find((e) => e.id === id) ?? this.live.get(id);
  }

  /**
   * SageMaker endpoints found InService by a live listing (Prompt Lab's picker), callable by id
   * for this session without being written to settings. They use the AWS credential chain, never
   * a stored key, so listing them cannot send a key anywhere.
   */
  private live = new Map<string, EndpointConfig>();

  get liveEndpoints(): readonly EndpointConfig[] {
    return [...this.live.values()];
  }

  setLive(configs: readonly EndpointConfig[]): void {
    this.live = new Map(configs.filter((c) => c.kind === 'sagemaker' && !this.current.list.some((e) => e.id === c.id)).map((c) => [c.id, c]));
    this.changed.fire();
  }

  getKey(id: string): Thenable<string | undefined> {
    return this.secrets.get(KEY_PREFIX + id);
  }

  async setKey(id: string, key: string): Promise<void> {
    await this.secrets.store(KEY_PREFIX + id, key);
    this.log.info(`Stored the key for endpoint ${id}.`);
  }

  async clearKey(id: string): Promise<void> {
    await this.secrets.delete(KEY_PREFIX + id);
    this.log.info(`Cleared the key for endpoint ${id}.`);
  }

  /** Asks for a key in a password box; undefined when the user cancels. */
  async askKey(config: EndpointConfig): Promise<string | undefined> {
    const optional = usesApiKey(config.kind) === 'optional';
    const key = await vscode.window.showInputBox({
      title: `API key for ${config.label}`,
      prompt: optional ? 'Leave empty if the server needs no key. It is kept in VS Code\'s secret storage, never in settings.' : 'Kept in VS Code\'s secret storage, never in settings or logs.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (optional || v.trim() !== '' ? undefined : 'A key is required for this endpoint.'),
    });
    if (key === undefined) return undefined;
    await this.setKey(config.id, key.trim());
    return key.trim();
  }

  /**
   * The endpoint, ready to call: refuses in an untrusted workspace (no network calls there) and
   * asks for a missing required key. Undefined when the user cancels.
   */
  async open(id: string): Promise<ChatEndpoint | undefined> {
    if (!trust.isTrusted) {
      throw new Error('This workspace is in Restricted Mode, so TuneLab makes no network calls. Trust the workspace to call endpoints.');
    }
    const config = this.get(id);
    if (config === undefined) throw new Error(`No endpoint "${id}" in the tunelab.endpoints setting. Add one with TuneLab: Add Endpoint.`);
    let key: string | undefined;
    const mode = usesApiKey(config.kind);
    if (mode !== 'none') {
      key = await this.getKey(id);
      if (key === undefined && mode === 'required') {
        key = await this.askKey(config);
        if (key === undefined) return undefined;
      }
    }
    const { createEndpoint } = await this.backends();
    return createEndpoint(config, key === '' ? undefined : key, await this.template(config));
  }

  /** The endpoint's template.json, read fresh on each open so an edit applies at once. */
  private async template(config: EndpointConfig): Promise<JumpStartTemplate | undefined> {
    if (config.template === undefined) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const path = config.template.replace('${workspaceFolder}', folder);
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(path)));
    } catch {
      throw new Error(`Endpoint "${config.id}": its template ${path} could not be read. Fix the "template" path in tunelab.endpoints, or remove it to use JumpStart's built-in instruction template (what "payload": "auto" sends when "model" names no Instruct or chat model, and "jumpstart-text" always).`);
    }
    const parsed = readJumpStartTemplate(text);
    if (!parsed.ok) throw new Error(`Endpoint "${config.id}": its template ${path}: ${parsed.message}`);
    return parsed.template;
  }

  /**
   * Streams a chat through the endpoint's scheduler, with the endpoint's default parameters under
   * the request's own. Undefined when the user cancelled the key prompt.
   */
  async chat(id: string, request: ChatRequest, signal: AbortSignal, options: { readonly retry?: boolean } = {}): Promise<AsyncIterable<ChatChunk> | undefined> {
    const endpoint = await this.open(id);
    const config = this.get(id);
    if (endpoint === undefined || config === undefined) return undefined;
    const d = config.defaults;
    const full: ChatRequest = {
      ...request,
      temperature: request.temperature ?? d.temperature,
      topP: request.topP ?? d.topP,
      maxTokens: request.maxTokens ?? d.maxTokens,
    };
    const estimatedTokens = Math.ceil(full.messages.reduce((n, m) => n + m.content.length, 0) / 4) + (full.maxTokens ?? 512);
    const { scheduleChat } = await this.backends();
    return scheduleChat(await this.scheduler(config), endpoint, full, { signal, estimatedTokens, retry: options.retry });
  }

  /**
   * An `ask` for pair generation: whole replies through the endpoint's scheduler, each attempt
   * read to its end so a stream dropped midway is retried (see src/endpoints/generateRun.ts),
   * with the endpoint's default parameters under the request's. Undefined when the user
   * cancelled the key prompt.
   */
  async asker(id: string): Promise<Ask | undefined> {
    const endpoint = await this.open(id);
    const config = this.get(id);
    if (endpoint === undefined || config === undefined) return undefined;
    const { askThrough } = await this.backends();
    const ask = askThrough(await this.scheduler(config), endpoint);
    const d = config.defaults;
    return (stage, messages, o) => {
      const temperature = o.temperature ?? d.temperature;
      const topP = o.topP ?? d.topP;
      const maxTokens = o.maxTokens ?? d.maxTokens;
      return ask(stage, messages, {
        ...o,
        ...(temperature === undefined ? {} : { temperature }),
        ...(topP === undefined ? {} : { topP }),
        ...(maxTokens === undefined ? {} : { maxTokens }),
      });
    };
  }

  private async scheduler(config: EndpointConfig): Promise<Scheduler> {
    const { Scheduler: SchedulerClass } = await this.backends();
    let s = this.schedulers.get(config.id); // looked up after the await: another call may have made it
    if (s === undefined) {
      s = new SchedulerClass({ ...config.rateLimits });
      s.onEvent((e) => {
        if (e.type === 'retrying') this.log.warn(`Endpoint ${config.id}: attempt ${e.attempt} failed (${e.error.kind}${e.error.status === undefined ? '' : ` ${e.error.status}`}); retrying in ${e.delayMs} ms.`);
        else if (e.type === 'failed') this.log.debug(`Endpoint ${config.id}: call ${e.id} failed after ${e.attempts} attempt(s).`);
      });
      this.schedulers.set(config.id, s);
    }
    return s;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
