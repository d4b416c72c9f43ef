import { html, nothing, type TemplateResult } from 'lit';
import { renderAnswers } from './answers';
import { renderColumns } from './columns';
import { checkedOf, numberOf, valueOf } from './elements';
import { renderHistory } from './history';
import type { PanelActions, PanelModel } from './model';
import { hasErrors } from './state';

const RUN_KEYS = /Mac|iPhone|iPad/.test(navigator.userAgent) ? '⌘+Enter' : 'Ctrl+Enter';

function header(m: PanelModel): TemplateResult {
  const line = !m.connected
    ? 'Connecting to TuneLab…'
    : `TuneLab ${m.version} · ${m.trusted ? 'workspace trusted' : 'Restricted Mode'}`;
  return html`
    <header class="header">
      <h2>Prompt Lab</h2>
      <span class="status" data-testid="version">${line}</span>
    </header>
  `;
}

function notices(m: PanelModel): TemplateResult {
  return html`
    ${m.connectError !== undefined ? html`<p class="error" role="alert">${m.connectError}</p>` : nothing}
    ${m.connected && !m.trusted
      ? html`<p class="notice" data-testid="trust-notice">
          Restricted Mode: TuneLab makes no network calls in this workspace, so nothing is sent to an endpoint. Trust the
          workspace to run prompts.
        </p>`
      : nothing}
  `;
}

function prompt(m: PanelModel, a: PanelActions): TemplateResult {
  const canRun = m.blocker === undefined;
  const samplesError = m.errors.samples;
  return html`
    <section class="prompt" aria-label="Prompt">
      <vscode-label for="system">System prompt</vscode-label>
      <vscode-textarea
        id="system"
        data-testid="system"
        rows="4"
        resize="vertical"
        placeholder="You are a helpful assistant…"
        .value=${m.form.system}
        @input=${(e: Event) => {
          a.setSystem(valueOf(e));
        }}
      ></vscode-textarea>
      <vscode-label for="question">Question</vscode-label>
      <vscode-textarea
        id="question"
        data-testid="question"
        rows="3"
        resize="vertical"
        placeholder=${`The user's message (${RUN_KEYS} runs)`}
        .value=${m.form.question}
        @input=${(e: Event) => {
          a.setQuestion(valueOf(e));
        }}
      ></vscode-textarea>
      <div class="run-row">
        <vscode-button
          data-testid="run"
          title=${`Run (${RUN_KEYS})`}
          ?disabled=${!canRun}
          aria-disabled=${canRun ? 'false' : 'true'}
          @click=${() => {
            a.run();
          }}
          >Run</vscode-button
        >
        <vscode-button
          secondary
          data-testid="stop"
          ?disabled=${!m.running}
          aria-disabled=${m.running ? 'false' : 'true'}
          @click=${() => {
            a.stop();
          }}
          >Stop</vscode-button
        >
        <span class="samples">
          <vscode-label for="samples">Samples</vscode-label>
          <vscode-textfield
            id="samples"
            data-testid="samples"
            type="number"
            min="1"
            max="8"
            step="1"
            title="Answers per column (1–8)"
            ?invalid=${samplesError !== undefined}
            .value=${m.form.samples}
            @input=${(e: Event) => {
              const { raw, badInput } = numberOf(e);
              a.setSamples(raw, badInput);
            }}
          ></vscode-textfield>
        </span>
        <vscode-checkbox
          toggle
          data-testid="markdown-toggle"
          label="Markdown"
          title="Show answers as Markdown (sanitised) instead of plain text"
          ?checked=${m.markdown}
          @change=${(e: Event) => {
            a.setMarkdown(checkedOf(e));
          }}
        ></vscode-checkbox>
      </div>
      ${samplesError !== undefined ? html`<span class="field-error" data-testid="samples-error">${samplesError}</span>` : nothing}
      ${m.blocker !== undefined && !m.running
        ? html`<p class="hint" data-testid="run-hint">${m.blocker}</p>`
        : nothing}
      <p class="run-status" role="status" aria-live="polite" data-testid="status">${m.status}</p>
      ${m.alert !== undefined ? html`<p class="error" role="alert" data-testid="alert">${m.alert}</p>` : nothing}
    </section>
  `;
}

function toolbar(m: PanelModel, a: PanelActions): TemplateResult {
  const canBatch = m.connected && m.trusted && m.endpoints.length > 0 && !hasErrors(m.errors);
  return html`
    <div class="toolbar" role="toolbar" aria-label="Prompt Lab actions">
      <vscode-button
        secondary
        data-testid="save-prompt"
        title="Save the system prompt, question and columns as a .tlprompt file"
        ?disabled=${!m.connected}
        @click=${() => {
          a.savePrompt();
        }}
        >Save as Prompt File</vscode-button
      >
      <vscode-button
        secondary
        data-testid="run-eval-set"
        title="Run these columns over every question of an eval set"
        ?disabled=${!canBatch}
        @click=${() => {
          a.runEvalSet();
        }}
        >Run over Eval Set…</vscode-button
      >
      <vscode-button
        secondary
        data-testid="show-log"
        @click=${() => {
          a.showLog();
        }}
        >Show Log</vscode-button
      >
    </div>
    ${m.toolbarNote
      ? html`<p class=${m.toolbarNote.error ? 'card-note error' : 'card-note'} data-testid="toolbar-note">${m.toolbarNote.text}</p>`
      : nothing}
  `;
}

export function renderApp(m: PanelModel, a: PanelActions): TemplateResult {
  return html`
    ${header(m)} ${notices(m)} ${prompt(m, a)} ${renderColumns(m, a)} ${renderAnswers(m, a)} ${toolbar(m, a)}
    ${renderHistory(m, a)}
  `;
}
