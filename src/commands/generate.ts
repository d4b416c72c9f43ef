import * as vscode from 'vscode';
import { DEFAULT_ANSWER_PROMPT, DEFAULT_QUESTIONS_PROMPT, parseQuestions } from '../core/generate';
import { addSubtopics } from '../core/topics/edits';
import type { Topic } from '../core/topics/topicsFile';
import { workspaceDatasets } from '../host/datasetFiles';
import type { TuneLabContext } from '../host/context';
import { generateInto, readOptions, saveOptions, type GenerateOptions } from '../host/generation';
import { isDataset } from '../host/datasetLinting';
import type { TopicsNode } from '../views/topicsView';
import { CommandId } from '../host/commandIds';
import { editTopics, nodeOf } from './topics';

/** The dataset generation writes to: the remembered one, else the active dataset, else the user picks. */
async function pickTarget(ctx: TuneLabContext, ask: boolean): Promise<vscode.Uri | undefined> {
  const model = ctx.topics;
  const active = vscode.window.activeTextEditor?.document;
  if (!ask) {
    if (model.target !== undefined) return model.target;
    if (active !== undefined && isDataset(active)) { await model.setTarget(active.uri); return active.uri; }
  }
  const files = await workspaceDatasets();
  const pick = await vscode.window.showQuickPick(
    [...files.map((uri): { label: string; uri: vscode.Uri | undefined } => ({ label: vscode.workspace.asRelativePath(uri), uri })), { label: '$(new-file) New dataset…', uri: undefined }],
    { title: 'TuneLab: the dataset to generate into', placeHolder: 'Pairs are appended as lines in its format' },
  );
  if (pick === undefined) return undefined;
  let uri = pick.uri;
  if (uri === undefined) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    uri = await vscode.window.showSaveDialog({ title: 'New dataset', filters: { 'JSON Lines': ['jsonl'] }, ...(folder === undefined ? {} : { defaultUri: vscode.Uri.joinPath(folder, 'generated.jsonl') }) });
    if (uri === undefined) return undefined;
    await vscode.workspace.fs.writeFile(uri, new Uint8Array());
  }
  await model.setTarget(uri);
  return uri;
}

type MenuItem = vscode.QuickPickItem & { readonly action: 'run' | 'perTopic' | 'refusal' | 'length' | 'temperature' | 'questions' | 'answers' | 'target' };

/**
 * The options of a run as one menu: the first row generates, every other row shows an option and
 * changes it when picked. What the user sets is remembered for the workspace.
 */
async function confirmOptions(ctx: TuneLabContext, what: string, topics: readonly Topic[]): Promise<{ options: GenerateOptions; target: vscode.Uri } | undefined> {
  const { state, endpoints: registry } = ctx;
  let options = readOptions(state, registry.endpoints[0]?.id);
  let target = await pickTarget(ctx, false);
  if (target === undefined) return undefined;
  const label = (id: string): string => registry.get(id)?.label ?? (id === '' ? 'none: add an endpoint first' : `${id} (not configured)`);
  for (;;) {
    const total = topics.reduce((n, t) => n + (t.questions ?? options.perTopic), 0);
    const items: MenuItem[] = [
      { label: `$(sparkle) Generate ${total} pair(s) for ${what}`, action: 'run', detail: `into ${vscode.workspace.asRelativePath(target)}; topics already covered ask only for what they lack` },
      { label: 'Questions per topic', description: String(options.perTopic), action: 'perTopic' },
      { label: 'Refusal mix', description: `${Math.round(options.refusalShare * 100)}% out-of-scope questions, answered with a kind refusal`, action: 'refusal' },
      { label: 'Answer length', description: options.length, action: 'length' },
      { label: 'Temperature', description: String(options.temperature), action: 'temperature' },
      { label: 'Questions from', description: label(options.questionsEndpoint), action: 'questions' },
      { label: 'Answers from', description: label(options.answersEndpoint), action: 'answers' },
      { label: 'Dataset', description: vscode.workspace.asRelativePath(target), action: 'target' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `TuneLab: Generate Pairs — ${what}`, placeHolder: 'Pick an option to change it, or Generate' });
    if (pick === undefined) return undefined;
    const number = async (prompt: string, value: number, lo: number, hi: number, integer: boolean): Promise<number | undefined> => {
      const text = await vscode.window.showInputBox({
        title: `TuneLab: ${pick.label}`, prompt, value: String(value),
        validateInput: (v) => {
          const n = Number(v);
          return v.trim() !== '' && Number.isFinite(n) && n >= lo && n <= hi && (!integer || Number.isInteger(n)) ? undefined : `A ${integer ? 'whole number' : 'number'} from ${lo} to ${hi}.`;
        },
      });
      return text === undefined ? undefined : Number(text);
    };
    const endpoint = async (current: string): Promise<string | undefined> => {
      const chosen = await vscode.window.showQuickPick(registry.endpoints.map((e) => ({ label: e.label, description: e.id === current ? 'current' : e.id, id: e.id })), { title: `TuneLab: ${pick.label}` });
      return chosen?.id;
    };
    switch (pick.action) {
      case 'run':
        await saveOptions(state, options);
        return { options, target };
      case 'perTopic': { const n = await number('How many questions to ask per topic (a topic\'s own "questions" in the file wins)', options.perTopic, 1, 100, true); if (n !== undefined) options = { ...options, perTopic: n }; break; }
      case 'refusal': { const n = await number('Percent of questions that are out of scope or harmful, answered with a kind refusal and a redirect (0–50)', Math.round(options.refusalShare * 100), 0, 50, true); if (n !== undefined) options = { ...options, refusalShare: n / 100 }; break; }
      case 'temperature': { const n = await number('Sampling temperature for both stages (0–2)', options.temperature, 0, 2, false); if (n !== undefined) options = { ...options, temperature: n }; break; }
      case 'length': {
        const chosen = await vscode.window.showQuickPick((['short', 'medium', 'long'] as const).map((l) => ({ label: l, length: l })), { title: 'TuneLab: Answer length' });
        if (chosen !== undefined) options = { ...options, length: chosen.length };
        break;
      }
      case 'questions': { const id = await endpoint(options.questionsEndpoint); if (id !== undefined) options = { ...options, questionsEndpoint: id }; break; }
      case 'answers': { const id = await endpoint(options.answersEndpoint); if (id !== undefined) options = { ...options, answersEndpoint: id }; break; }
      case 'target': { const t = await pickTarget(ctx, true); if (t !== undefined) target = t; break; }
    }
  }
}

/**
 * Generate Pairs (one topic) and Generate for All Subtopics (a category): options, then the run.
 * A failure is shown by the command table as `generation failed: …`.
 */
async function generateFor(ctx: TuneLabContext, topics: readonly Topic[], what: string): Promise<void> {
  if (topics.length === 0) {
    void vscode.window.showInformationMessage('TuneLab: this category has no subtopics yet. Add one, or use Suggest Subtopics.');
    return;
  }
  if (ctx.endpoints.endpoints.length === 0) {
    const choice = await vscode.window.showWarningMessage('TuneLab: generating pairs needs an endpoint to ask.', 'Add Endpoint…');
    if (choice !== undefined) await vscode.commands.executeCommand('tunelab.addEndpoint');
    return;
  }
  const chosen = await confirmOptions(ctx, what, topics);
  if (chosen === undefined) return;
  const categories = new Map((ctx.topics.file?.categories ?? []).map((c) => [c.name, c]));
  await generateInto(ctx, chosen.target, topics, chosen.options, categories);
}

async function suggestSubtopics(ctx: TuneLabContext, node: TopicsNode | undefined): Promise<void> {
  if (node?.kind !== 'category') return;
  const category = node.category;
  // Checked after the node: called without a category, the command does nothing.
  if (!ctx.commands.trusted({ to: 'ask for suggestions' })) return;
  const options = readOptions(ctx.state, ctx.endpoints.endpoints[0]?.id);
  if (ctx.endpoints.get(options.questionsEndpoint) === undefined) {
    const choice = await vscode.window.showWarningMessage('TuneLab: suggesting subtopics needs an endpoint to ask.', 'Add Endpoint…');
    if (choice !== undefined) await vscode.commands.executeCommand('tunelab.addEndpoint');
    return;
  }
  const existing = category.subtopics.map((t) => t.name);
  const suggestions = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `TuneLab: asking for subtopics of ${category.name}…`, cancellable: true }, async (_p, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => { controller.abort(); });
    try {
      const stream = await ctx.endpoints.chat(options.questionsEndpoint, {
        json: true, temperature: 0.7,
        messages: [
          { role: 'system', content: 'You help plan a fine-tuning dataset for a public-services assistant. Reply with JSON only.' },
          { role: 'user', content: `The category "${category.name}"${category.notes === undefined ? '' : ` (${category.notes})`} has these subtopics: ${JSON.stringify(existing)}. Suggest up to 10 more specific subtopics residents ask about that are not already covered. Reply as {"questions": ["subtopic", …]} with short names.` },
        ],
      }, controller.signal, { retry: true });
      if (stream === undefined) return undefined;
      let text = '';
      for await (const chunk of stream) if (chunk.type === 'text') text += chunk.text;
      return text;
    } finally {
      sub.dispose();
    }
  });
  if (suggestions === undefined) return;
  const parsed = parseQuestions(suggestions, 10);
  if (!parsed.ok) {
    ctx.log.warn(`Suggest Subtopics: the reply could not be read: ${parsed.message}`);
    void vscode.window.showWarningMessage(`TuneLab: the model's suggestions could not be read (${parsed.message}). Try again.`);
    return;
  }
  const taken = new Set(existing.map((e) => e.toLowerCase()));
  const fresh = parsed.questions.filter((q) => !taken.has(q.toLowerCase()));
  if (fresh.length === 0) {
    void vscode.window.showInformationMessage(`TuneLab: no new subtopics were suggested for ${category.name}.`);
    return;
  }
  const picked = await vscode.window.showQuickPick(fresh.map((label) => ({ label, picked: false })), { canPickMany: true, title: `Suggested subtopics for ${category.name}`, placeHolder: 'Pick the ones to add' });
  if (picked === undefined || picked.length === 0) return;
  await editTopics(ctx, (text) => addSubtopics(text, category.index, picked.map((p) => p.label)));
}

/** The commands of generation; topics.ts holds the ones that only edit the topics file. */
export function registerGenerationCommands(ctx: TuneLabContext, view: vscode.TreeView<TopicsNode>): vscode.Disposable[] {
  const { commands } = ctx;
  const failed = { errorPrefix: 'generation failed: ' };
  return [
    commands.registerCommand(CommandId.generatePairs, async (arg?: unknown) => {
      const node = nodeOf(view, arg);
      if (node?.kind !== 'topic') return;
      await generateFor(ctx, [node.topic], `"${node.topic.name}"`);
    }, failed),
    commands.registerCommand(CommandId.generateForCategory, async (arg?: unknown) => {
      const node = nodeOf(view, arg);
      if (node?.kind !== 'category') return;
      await generateFor(ctx, node.category.subtopics, `${node.category.subtopics.length} subtopic(s) of "${node.category.name}"`);
    }, failed),
    commands.registerCommand(CommandId.suggestSubtopics, (arg?: unknown) => suggestSubtopics(ctx, nodeOf(view, arg))),
    commands.registerCommand(CommandId.copyDefaultPrompts, async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (folder === undefined) return;
      const written: string[] = [];
      for (const [name, text] of [['questions.tlprompt', DEFAULT_QUESTIONS_PROMPT], ['answer.tlprompt', DEFAULT_ANSWER_PROMPT]] as const) {
        const uri = vscode.Uri.joinPath(folder.uri, 'prompts', name);
        const exists = await Promise.resolve(vscode.workspace.fs.stat(uri)).then(() => true, () => false);
        if (exists) continue;
        await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
        written.push(vscode.workspace.asRelativePath(uri));
      }
      if (written.length === 0) void vscode.window.showInformationMessage('TuneLab: prompts/questions.tlprompt and prompts/answer.tlprompt are already in the workspace; generation uses them.');
      else {
        void vscode.window.showInformationMessage(`TuneLab: wrote ${written.join(' and ')}. Generation uses them from now on; edit them to change how questions and answers are written.`);
        await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, written[0] ?? ''), { preview: false });
      }
    }),
  ];
}
