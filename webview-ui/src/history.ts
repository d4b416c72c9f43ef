import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { HistoryEntry } from '../../src/core/protocol';
import { valueOf } from './elements';
import type { PanelActions, PanelModel } from './model';
import { describeFinish, endpointLabel, filterHistory, firstLine, formatTime, statsParts } from './state';

/** A past run's answers, read-only and always as plain text. */
function detail(m: PanelModel, entry: HistoryEntry): TemplateResult {
  const answers = [...entry.answers].sort((x, y) => x.column - y.column || x.sample - y.sample);
  return html`
    <div class="history-detail" data-testid="history-detail">
      ${entry.system !== '' ? html`<p class="detail">System: <span class="plain-inline">${firstLine(entry.system, 200)}</span></p>` : nothing}
      <p class="detail">Question:</p>
      <div class="answer-text plain">${entry.question}</div>
      ${answers.length === 0 ? html`<p class="detail">No answers were kept for this run.</p>` : nothing}
      ${answers.map((answer) => {
        const column = entry.columns[answer.column];
        const finish = answer.stats ? describeFinish(answer.stats.finish) : undefined;
        return html`
          <div class="history-answer">
            <p class="detail">
              Column ${answer.column + 1}, answer ${answer.sample + 1}${column ? ` · ${endpointLabel(m.endpoints, column.endpoint)}` : ''}
            </p>
            ${answer.text !== '' ? html`<div class="answer-text plain">${answer.text}</div>` : nothing}
            ${answer.error !== undefined ? html`<p class="card-error">${answer.error}</p>` : nothing}
            ${answer.stats && finish
              ? html`<p class="stats">
                  ${statsParts(answer.stats).map((part) => html`<span>${part}</span>`)}
                  <span class=${finish.warning ? 'warning' : ''}>${finish.text}</span>
                </p>`
              : nothing}
          </div>
        `;
      })}
    </div>
  `;
}

function row(m: PanelModel, a: PanelActions, entry: HistoryEntry, canRerun: boolean): TemplateResult {
  const expanded = m.historyExpanded === entry.id;
  const endpoints = [...new Set(entry.columns.map((c) => endpointLabel(m.endpoints, c.endpoint)))].join(' · ');
  return html`
    <li class="history-row" data-testid="history-row" data-entry-id=${entry.id}>
      <button
        type="button"
        class="row-main"
        data-testid="history-open"
        aria-expanded=${expanded ? 'true' : 'false'}
        title="Show this run's answers"
        @click=${() => {
          a.toggleHistoryEntry(entry.id);
        }}
      >
        <span class="row-time">${formatTime(entry.time)}</span>
        <span class="row-question">${firstLine(entry.question) || '(no question)'}</span>
        <span class="row-endpoints">${endpoints}</span>
      </button>
      <div class="row-actions">
        <vscode-button
          secondary
          data-testid="history-load"
          title="Put this run's question, prompts and columns in the panel"
          @click=${() => {
            a.loadHistory(entry.id);
          }}
          >Load</vscode-button
        >
        <vscode-button
          secondary
          data-testid="history-rerun"
          ?disabled=${!canRerun}
          @click=${() => {
            a.rerunHistory(entry.id);
          }}
          >Re-run</vscode-button
        >
        <vscode-button
          secondary
          data-testid="history-delete"
          aria-label=${`Delete this run from history: ${firstLine(entry.question, 60)}`}
          @click=${() => {
            a.deleteHistory(entry.id);
          }}
          >Delete</vscode-button
        >
      </div>
      ${expanded ? detail(m, entry) : nothing}
    </li>
  `;
}

export function renderHistory(m: PanelModel, a: PanelActions): TemplateResult {
  const entries = filterHistory(m.history, m.historyQuery);
  const canRerun = m.connected && m.trusted && m.endpoints.length > 0 && !m.running;
  const count = m.history.length;
  return html`
    <vscode-collapsible
      heading="History"
      description=${count === 1 ? '1 run' : `${count} runs`}
      data-testid="history"
      ?open=${m.historyOpen}
      @vsc-collapsible-toggle=${(e: CustomEvent<{ open: boolean }>) => {
        a.setHistoryOpen(e.detail.open);
      }}
    >
      <div class="history">
        <div class="history-tools">
          <vscode-label for="history-search" class="sr-only">Search history</vscode-label>
          <vscode-textfield
            id="history-search"
            data-testid="history-search"
            placeholder="Search questions, prompts and answers"
            .value=${m.historyQuery}
            @input=${(e: Event) => {
              a.setHistoryQuery(valueOf(e));
            }}
          ></vscode-textfield>
          <vscode-button
            secondary
            data-testid="history-clear"
            ?disabled=${count === 0}
            @click=${() => {
              a.clearHistory();
            }}
            >Clear history</vscode-button
          >
        </div>
        ${count === 0
          ? html`<p class="detail">Runs appear here once they finish.</p>`
          : entries.length === 0
            ? html`<p class="detail" data-testid="history-none">No run matches “${m.historyQuery}”.</p>`
            : html`<ul class="history-list">
                ${repeat(
                  entries,
                  (e) => e.id,
                  (e) => row(m, a, e, canRerun),
                )}
              </ul>`}
      </div>
    </vscode-collapsible>
  `;
}
