import { html, nothing, type TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { cachedMarkdown } from './markdown';
import type { PanelActions, PanelModel } from './model';
import { describeFinish, endpointLabel, firstLine, statsParts, type AnswerCard, type RunView } from './state';

/**
 * Model output is untrusted. In plain mode it only ever reaches the page through lit's text
 * bindings (escaped, shown with white-space: pre-wrap); in Markdown mode only DOMPurify's output
 * goes through unsafeHTML.
 */
function answerText(m: PanelModel, run: RunView, card: AnswerCard, c: number, s: number, testId: string): TemplateResult {
  if (card.text === '' && card.status !== 'streaming') {
    return html`<div class="answer-text empty" data-testid=${testId}></div>`;
  }
  if (m.markdown) {
    const safe = cachedMarkdown(`${run.runId}:${c}:${s}`, card.text);
    return html`<div class="answer-text markdown" data-testid=${testId}>${unsafeHTML(safe)}</div>`;
  }
  return html`<div class="answer-text plain" data-testid=${testId}>${card.text}</div>`;
}

function statsLine(card: AnswerCard, testId: string): TemplateResult | typeof nothing {
  if (!card.stats) return nothing;
  const finish = describeFinish(card.stats.finish);
  return html`<p class="stats" data-testid=${testId}>
    ${statsParts(card.stats).map((part) => html`<span>${part}</span>`)}
    <span class=${finish.warning ? 'warning' : ''}>${finish.text}</span>
  </p>`;
}

function card(m: PanelModel, a: PanelActions, run: RunView, c: number, s: number, answer: AnswerCard): TemplateResult {
  const id = `answer-${c + 1}-${s + 1}`;
  const streaming = answer.status === 'streaming';
  const note = m.notes.get(`${c}:${s}`);
  const hasText = answer.text !== '';
  return html`
    <article
      class=${`card ${answer.status}`}
      data-testid=${id}
      aria-label=${`Column ${c + 1}, answer ${s + 1}`}
      aria-busy=${streaming ? 'true' : 'false'}
    >
      <div class="card-head">
        <span class="card-title">Answer ${s + 1}</span>
        ${streaming
          ? html`<span class="streaming-indicator" data-testid=${`${id}-streaming`}
              ><vscode-progress-ring aria-hidden="true"></vscode-progress-ring>streaming…</span
            >`
          : nothing}
      </div>
      ${answerText(m, run, answer, c, s, `${id}-text`)}
      ${answer.text === '' && answer.status === 'done' ? html`<p class="detail">No text came back.</p>` : nothing}
      ${answer.truncated === true ? html`<p class="detail">Shortened: only the start of this answer was kept while the panel was hidden.</p>` : nothing}
      ${answer.error !== undefined
        ? html`<p class="card-error" role="alert" data-testid=${`${id}-error`}>${answer.error}</p>`
        : nothing}
      ${answer.status === 'interrupted' ? html`<p class="detail">This answer did not finish.</p>` : nothing}
      ${statsLine(answer, `${id}-stats`)}
      ${streaming
        ? nothing
        : html`<div class="card-actions">
            <vscode-button
              secondary
              data-testid=${`${id}-copy`}
              ?disabled=${!hasText}
              @click=${() => {
                a.copyAnswer(c, s);
              }}
              >Copy</vscode-button
            >
            <vscode-button
              secondary
              data-testid=${`${id}-add-to-dataset`}
              title="Append the question, this answer and its system prompt to the dataset"
              ?disabled=${!hasText}
              @click=${() => {
                a.addToDataset(c, s);
              }}
              >Add to dataset</vscode-button
            >
          </div>`}
      ${note
        ? html`<p class=${note.error ? 'card-note error' : 'card-note'} data-testid=${`${id}-note`}>${note.text}</p>`
        : nothing}
    </article>
  `;
}

export function renderAnswers(m: PanelModel, a: PanelActions): TemplateResult | typeof nothing {
  const run = m.run;
  if (!run) return nothing;
  return html`
    <section class="answers" aria-label="Answers" data-testid="answers">
      <div class="section-head">
        <h3>Answers</h3>
        <span class="detail question-line" title=${run.question}>${firstLine(run.question, 80)}</span>
      </div>
      <div class="grid">
        ${run.columns.map(
          (column, c) => html`
            <div class="answer-column" role="group" aria-label=${`Answers of column ${c + 1}`} data-testid=${`answers-column-${c + 1}`}>
              <h4>Column ${c + 1} · ${endpointLabel(m.endpoints, column.endpoint)}</h4>
              ${(run.answers[c] ?? []).map((answer, s) => card(m, a, run, c, s, answer))}
            </div>
          `,
        )}
      </div>
    </section>
  `;
}
