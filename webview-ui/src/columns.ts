import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { EndpointOption } from '../../src/core/protocol';
import { checkedOf, numberOf, valueOf } from './elements';
import type { PanelActions, PanelModel } from './model';
import { FIELD_RULES, MAX_COLUMNS, findEndpoint, orderedEndpoints, type ColumnErrors, type ColumnForm, type NumberField } from './state';

const FIELD_TEST_IDS: Readonly<Record<NumberField, string>> = {
  temperature: 'temperature',
  topP: 'top-p',
  maxTokens: 'max-tokens',
  seed: 'seed',
};

function optionLabel(option: EndpointOption): string {
  return option.live ? `${option.label} (SageMaker, live)` : option.label;
}

function numberField(
  a: PanelActions,
  column: number,
  field: NumberField,
  value: string,
  error: string | undefined,
  disabledReason?: string,
): TemplateResult {
  const rule = FIELD_RULES[field];
  const n = column + 1;
  const id = `${FIELD_TEST_IDS[field]}-${n}`;
  const step = rule.integer ? '1' : '0.05';
  const bounded = field !== 'seed';
  return html`
    <div class="field" title=${ifDefined(disabledReason)}>
      <vscode-label for=${id}>${rule.label}</vscode-label>
      <vscode-textfield
        id=${id}
        data-testid=${id}
        type="number"
        min=${ifDefined(bounded ? String(rule.min) : undefined)}
        max=${ifDefined(bounded ? String(rule.max) : undefined)}
        step=${step}
        placeholder=${disabledReason === undefined ? 'default' : 'not used'}
        title=${ifDefined(disabledReason)}
        ?disabled=${disabledReason !== undefined}
        ?invalid=${error !== undefined}
        .value=${value}
        @input=${(e: Event) => {
          const { raw, badInput } = numberOf(e);
          a.setColumnField(column, field, raw, badInput);
        }}
      ></vscode-textfield>
      ${error !== undefined ? html`<span class="field-error" data-testid=${`${id}-error`}>${error}</span>` : nothing}
    </div>
  `;
}

function endpointPicker(m: PanelModel, a: PanelActions, column: ColumnForm, i: number, error: string | undefined): TemplateResult {
  const n = i + 1;
  const options = orderedEndpoints(m.endpoints);
  // The picker must show what the draft holds: an endpoint that is gone keeps an entry of its
  // own (and a message), rather than the picker silently showing the first one.
  const missing = column.endpoint !== '' && !findEndpoint(m.endpoints, column.endpoint);
  return html`
    <vscode-label for=${`endpoint-${n}`}>Endpoint</vscode-label>
    <div class="endpoint-row">
      <vscode-single-select
        id=${`endpoint-${n}`}
        data-testid=${`endpoint-select-${n}`}
        ?invalid=${error !== undefined}
        .value=${column.endpoint}
        @change=${(e: Event) => {
          a.setColumnEndpoint(i, valueOf(e));
        }}
      >
        ${options.map(
          (o) =>
            html`<vscode-option value=${o.id} description=${o.detail} ?selected=${o.id === column.endpoint}
              >${optionLabel(o)}</vscode-option
            >`,
        )}
        ${missing
          ? html`<vscode-option value=${column.endpoint} selected>${column.endpoint} (not available)</vscode-option>`
          : nothing}
      </vscode-single-select>
      <vscode-button
        secondary
        data-testid=${`refresh-endpoints-${n}`}
        title="List the endpoints again, with SageMaker's live ones"
        ?disabled=${m.refreshing}
        @click=${() => {
          a.refreshEndpoints();
        }}
        >${m.refreshing ? 'Refreshing…' : 'Refresh'}</vscode-button
      >
    </div>
    ${error !== undefined ? html`<span class="field-error" data-testid=${`endpoint-error-${n}`}>${error}</span>` : nothing}
  `;
}

function columnCard(m: PanelModel, a: PanelActions, column: ColumnForm, i: number): TemplateResult {
  const n = i + 1;
  const errors: ColumnErrors = m.errors.columns[i] ?? {};
  const option = findEndpoint(m.endpoints, column.endpoint);
  const seedOff = option && !option.seed ? 'This endpoint ignores a sampling seed, so none is sent.' : undefined;
  return html`
    <div class="column" role="group" aria-label=${`Column ${n}`} data-testid=${`column-${n}`}>
      <div class="column-head">
        <h4>Column ${n}</h4>
        ${m.form.columns.length > 1
          ? html`<vscode-button
              secondary
              data-testid=${`remove-column-${n}`}
              aria-label=${`Remove column ${n}`}
              @click=${() => {
                a.removeColumn(i);
              }}
              >Remove</vscode-button
            >`
          : nothing}
      </div>
      ${endpointPicker(m, a, column, i, errors.endpoint)}
      ${option ? html`<p class="detail">${option.detail}</p>` : nothing}
      <div class="params">
        ${numberField(a, i, 'temperature', column.temperature, errors.temperature)}
        ${numberField(a, i, 'topP', column.topP, errors.topP, option?.topPUnused)}
        ${numberField(a, i, 'maxTokens', column.maxTokens, errors.maxTokens)}
        ${numberField(a, i, 'seed', column.seed, errors.seed, seedOff)}
      </div>
      <vscode-checkbox
        data-testid=${`own-system-${n}`}
        label="Own system prompt"
        ?checked=${column.ownSystem}
        @change=${(e: Event) => {
          a.setOwnSystem(i, checkedOf(e));
        }}
      ></vscode-checkbox>
      ${column.ownSystem
        ? html`<vscode-label for=${`column-system-${n}`} class="sr-only">System prompt for column ${n}</vscode-label>
            <vscode-textarea
              id=${`column-system-${n}`}
              data-testid=${`column-system-${n}`}
              rows="3"
              resize="vertical"
              placeholder="This column's system prompt (instead of the shared one)"
              .value=${column.system}
              @input=${(e: Event) => {
                a.setColumnSystem(i, valueOf(e));
              }}
            ></vscode-textarea>`
        : html`<p class="detail">Uses the shared system prompt.</p>`}
    </div>
  `;
}

export function renderColumns(m: PanelModel, a: PanelActions): TemplateResult {
  if (m.connected && m.endpoints.length === 0) {
    return html`
      <section class="empty" data-testid="empty-endpoints" aria-label="No endpoints">
        <p>No endpoints yet. Add one (OpenAI, Azure OpenAI, an OpenAI-compatible server, SageMaker or Bedrock) to run prompts against it.</p>
        <div class="actions">
          <vscode-button
            data-testid="add-endpoint"
            @click=${() => {
              a.addEndpoint();
            }}
            >Add Endpoint…</vscode-button
          >
          <vscode-button
            secondary
            data-testid="refresh-endpoints"
            ?disabled=${m.refreshing}
            @click=${() => {
              a.refreshEndpoints();
            }}
            >${m.refreshing ? 'Refreshing…' : 'Refresh'}</vscode-button
          >
        </div>
      </section>
    `;
  }
  return html`
    <section class="columns-section" aria-label="Columns">
      <div class="section-head">
        <h3>Columns</h3>
        <vscode-button
          secondary
          data-testid="add-column"
          ?disabled=${m.form.columns.length >= MAX_COLUMNS}
          title=${`Compare up to ${MAX_COLUMNS} endpoints or settings side by side`}
          @click=${() => {
            a.addColumn();
          }}
          >Add column</vscode-button
        >
      </div>
      <div class="grid">${m.form.columns.map((column, i) => columnCard(m, a, column, i))}</div>
    </section>
  `;
}
