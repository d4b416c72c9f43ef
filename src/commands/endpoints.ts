import * as vscode from 'vscode';
import { DEFAULT_AZURE_API_VERSION, ENDPOINT_KINDS, kindLabel, usesApiKey, type EndpointConfig, type EndpointKind } from '../endpoints/config';
import { payloadFor } from '../endpoints/sagemaker/auto';
import { endpointErrorKind, type ChatChunk } from '../endpoints/types';
import { restrictedText } from '../host/commandPolicy';
import type { TuneLabContext } from '../host/context';
import type { EndpointRegistry } from '../host/endpoints';
import { trust } from '../host/trust';
import { CommandId } from '../host/commandIds';

export type TestResult =
  | { readonly ok: true; readonly text: string; readonly latencyMs: number }
  | { readonly ok: false; readonly kind: string; readonly message: string };

const TEST_PROMPT = 'Reply with the single word: ready';

async function pickEndpoint(registry: EndpointRegistry, title: string): Promise<EndpointConfig | undefined> {
  if (registry.endpoints.length === 0) {
    const add = await vscode.window.showInformationMessage('TuneLab: no endpoints yet. Add one first.', 'Add Endpoint');
    if (add !== undefined) await vscode.commands.executeCommand(CommandId.addEndpoint);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    registry.endpoints.map((e) => ({ label: e.label, description: `${kindLabel(e.kind)} · ${e.id}`, config: e })),
    { title, placeHolder: 'Choose an endpoint' },
  );
  return pick?.config;
}

/** Runs a tiny request and says what happened, in plain words. Returns the outcome (for scripts and tests). */
async function testEndpoint(ctx: TuneLabContext, id: string | undefined, quiet: boolean): Promise<TestResult | undefined> {
  const { endpoints: registry, log } = ctx;
  const config = id === undefined ? await pickEndpoint(registry, 'TuneLab: Test Endpoint') : registry.get(id);
  if (config === undefined) {
    if (id !== undefined) void vscode.window.showErrorMessage(`TuneLab: no endpoint "${id}" in the tunelab.endpoints setting.`);
    return undefined;
  }
  // Checked here, not by the command table: quiet callers get the refusal as the result.
  if (!ctx.trust.isTrusted) {
    if (!quiet) ctx.commands.trusted({ to: 'test endpoints', manage: true });
    return { ok: false, kind: 'untrusted', message: restrictedText('test endpoints') };
  }
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `TuneLab: testing ${config.label}…`, cancellable: true }, async (_progress, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => { controller.abort(); });
    const started = Date.now();
    try {
      const stream = await registry.chat(config.id, { messages: [{ role: 'user', content: TEST_PROMPT }], maxTokens: 16, temperature: 0 }, controller.signal, { retry: false });
      if (stream === undefined) return undefined;
      let text = '';
      let usage: Extract<ChatChunk, { type: 'usage' }>['usage'] | undefined;
      for await (const chunk of stream) {
        if (chunk.type === 'text') text += chunk.text;
        else if (chunk.type === 'usage') usage = chunk.usage;
      }
      const latencyMs = Date.now() - started;
      log.info(`Test of endpoint ${config.id}: answered in ${latencyMs} ms${usage === undefined ? '' : `, ${usage.inputTokens} tokens in, ${usage.outputTokens} out`}.`);
      const shown = text.trim().slice(0, 80);
      const model = config.model ?? config.deployment ?? config.endpointName ?? config.kind;
      if (!quiet) void vscode.window.showInformationMessage(`TuneLab: ${config.label} (${model}) answered in ${latencyMs} ms: "${shown}"`);
      return { ok: true, text: text.trim(), latencyMs };
    } catch (err) {
      const kind = endpointErrorKind(err) ?? 'error';
      const message = err instanceof Error ? err.message : String(err);
      log.error(`Test of endpoint ${config.id} failed (${kind}): ${message}`);
      if (!quiet) {
        const actions = kind === 'auth' && usesApiKey(config.kind) !== 'none' ? ['Set Key', 'Show Log'] : ['Show Log'];
        void vscode.window.showErrorMessage(`TuneLab: ${config.label}: ${message}`, ...actions).then((c) => {
          if (c === 'Set Key') void vscode.commands.executeCommand(CommandId.setEndpointKey, config.id);
          else if (c === 'Show Log') log.show(true);
        });
      }
      return { ok: false, kind, message };
    }
  });
}

async function input(title: string, prompt: string, value?: string, validate?: (v: string) => string | undefined): Promise<string | undefined> {
  const v = await vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: validate });
  return v?.trim();
}

/** The quick-pick wizard: kind, then what that kind needs; the entry goes to the user's settings. */
async function addEndpoint(registry: EndpointRegistry): Promise<string | undefined> {
  const kind = await vscode.window.showQuickPick(ENDPOINT_KINDS.map((k) => ({ label: kindLabel(k), endpointKind: k })), {
    title: 'TuneLab: Add Endpoint (1/3)', placeHolder: 'What kind of endpoint?',
  });
  if (kind === undefined) return undefined;
  const title = `TuneLab: Add ${kind.label}`;
  const entry: Record<string, string | boolean> = { kind: kind.endpointKind };
  const fields = FIELDS[kind.endpointKind];
  for (const [key, prompt, initial] of fields) {
    const offered = key === 'model' && kind.endpointKind === 'openai-compatible' && typeof entry.url === 'string' ? await serverModels(registry, entry.url) : [];
    const v = offered.length > 0
      ? (await vscode.window.showQuickPick(offered, { title, placeHolder: 'The models this server offers' }))
      : await input(title, prompt, initial, (s) => (s.trim() === '' ? 'Required.' : key === 'url' && !/^https?:\/\//i.test(s.trim()) ? 'An http(s) URL.' : undefined));
    if (v === undefined) return undefined;
    entry[key] = v;
  }
  const taken = new Set(registry.endpoints.map((e) => e.id));
  const suggested = String(entry.model ?? entry.endpointName ?? entry.deployment ?? kind.endpointKind).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40);
  const id = await input(title, 'An id for this endpoint (letters, digits, . _ -): keys and references use it.', suggested, (s) =>
    !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s.trim()) ? 'Letters, digits, ., _ or -, starting with a letter or digit.' : taken.has(s.trim()) ? 'That id is taken.' : undefined);
  if (id === undefined) return undefined;
  entry.id = id;
  entry.label = id;
  await registry.addToUserSettings(entry);
  const config = await waitFor(registry, id);
  if (config !== undefined && usesApiKey(config.kind) !== 'none') await registry.askKey(config);
  const test = await vscode.window.showInformationMessage(`TuneLab: added endpoint "${id}" to your user settings.`, 'Test Endpoint');
  if (test !== undefined) await vscode.commands.executeCommand(CommandId.testEndpoint, id);
  return id;
}

const FIELDS: Readonly<Record<EndpointKind, readonly (readonly [string, string, string?])[]>> = {
  'openai': [['model', 'The model, e.g. gpt-4o-mini', 'gpt-4o-mini']],
  'openai-compatible': [['url', 'The server\'s base URL (Ollama: http://127.0.0.1:11434/v1, vLLM: http://127.0.0.1:8000/v1)', 'http://127.0.0.1:11434/v1'], ['model', 'The model name the server knows, e.g. llama3.1:8b']],
  'azure-openai': [['url', 'The resource endpoint, e.g. https://my-resource.openai.azure.com'], ['deployment', 'The deployment name'], ['apiVersion', 'The API version (the default serves the reasoning models too)', DEFAULT_AZURE_API_VERSION]],
  'sagemaker': [['endpointName', 'The SageMaker endpoint\'s name (or use TuneLab: List SageMaker Endpoints)'], ['region', 'The AWS region', process.env.AWS_REGION ?? 'us-east-1']],
  'bedrock': [['model', 'The Bedrock model id'], ['region', 'The AWS region', process.env.AWS_REGION ?? 'us-east-1']],
};

/** The models a compatible server lists at /v1/models (no key yet: servers that need one just list none). */
async function serverModels(registry: EndpointRegistry, url: string): Promise<string[]> {
  if (!trust.isTrusted) return [];
  try {
    const { listModels } = await registry.backends();
    return await listModels({ baseURL: url, timeoutMs: 5_000 });
  } catch {
    return [];
  }
}

function waitFor(registry: EndpointRegistry, id: string): Promise<EndpointConfig | undefined> {
  const now = registry.get(id);
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { sub.dispose(); resolve(registry.get(id)); }, 2000);
    const sub = registry.onDidChange(() => {
      const found = registry.get(id);
      if (found === undefined) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(found);
    });
  });
}

/** Behind the command table's Restricted Mode gate. */
async function listSageMaker(ctx: TuneLabContext): Promise<void> {
  const registry = ctx.endpoints;
  const region = await input('TuneLab: List SageMaker Endpoints', 'The AWS region', process.env.AWS_REGION ?? 'us-east-1');
  if (region === undefined) return;
  const profile = await input('TuneLab: List SageMaker Endpoints', 'The AWS profile (empty for the default credential chain)', process.env.AWS_PROFILE ?? '', () => undefined);
  if (profile === undefined) return;
  try {
    const { listSageMakerEndpoints } = await registry.backends();
    const endpoints = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `TuneLab: listing SageMaker endpoints in ${region}…` }, () => listSageMakerEndpoints(region, profile === '' ? undefined : profile));
    if (endpoints.length === 0) {
      void vscode.window.showInformationMessage(`TuneLab: no InService SageMaker endpoints in ${region}.`);
      return;
    }
    const pick = await vscode.window.showQuickPick(endpoints.map((e) => ({
      label: e.name, description: [e.modelId, e.instanceType, e.created?.toISOString().slice(0, 10)].filter(Boolean).join(' · '), name: e.name,
    })), { title: `InService SageMaker endpoints in ${region}`, placeHolder: 'Pick one to add it to TuneLab' });
    if (pick === undefined) return;
    const info = endpoints.find((e) => e.name === pick.name);
    // The model behind it and how it was tuned, where the listing could tell, so it is prompted as trained.
    const payload = info === undefined ? 'auto' : payloadFor(info);
    await registry.addToUserSettings({
      id: pick.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 64), kind: 'sagemaker', label: pick.name, endpointName: pick.name, region,
      ...(profile === '' ? {} : { profile }), ...(info?.modelId === undefined ? {} : { model: info.modelId }), ...(payload === 'auto' ? {} : { payload }),
    });
    void vscode.window.showInformationMessage(`TuneLab: added SageMaker endpoint "${pick.name}" to your user settings.`);
  } catch (err) {
    ctx.commands.reportFailure(CommandId.listSageMakerEndpoints, err, 'could not list SageMaker endpoints: ');
  }
}

export function registerEndpointCommands(ctx: TuneLabContext): vscode.Disposable[] {
  const { endpoints: registry, commands } = ctx;
  return [
    commands.registerCommand(CommandId.addEndpoint, () => addEndpoint(registry)),
    commands.registerCommand(CommandId.testEndpoint, (id?: unknown, options?: unknown) =>
      testEndpoint(ctx, typeof id === 'string' ? id : undefined, typeof options === 'object' && options !== null && (options as { quiet?: unknown }).quiet === true)),
    commands.registerCommand(CommandId.setEndpointKey, async (id?: unknown) => {
      const config = typeof id === 'string' ? registry.get(id) : await pickEndpoint(registry, 'TuneLab: Set Endpoint Key');
      if (config === undefined) return;
      if (usesApiKey(config.kind) === 'none') {
        void vscode.window.showInformationMessage(`TuneLab: ${config.label} uses your AWS credentials (profile, SSO or environment), not a key.`);
        return;
      }
      if (await registry.askKey(config) !== undefined) void vscode.window.showInformationMessage(`TuneLab: stored the key for ${config.label}.`);
    }),
    commands.registerCommand(CommandId.clearEndpointKey, async (id?: unknown) => {
      const config = typeof id === 'string' ? registry.get(id) : await pickEndpoint(registry, 'TuneLab: Clear Endpoint Key');
      if (config === undefined) return;
      await registry.clearKey(config.id);
      void vscode.window.showInformationMessage(`TuneLab: cleared the key for ${config.label}.`);
    }),
    commands.registerCommand(CommandId.listSageMakerEndpoints, () => listSageMaker(ctx), { trust: { to: 'list endpoints' } }),
  ];
}
