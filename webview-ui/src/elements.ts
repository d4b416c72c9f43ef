/**
 * The @vscode-elements components the panel uses, registered once, and the few helpers that read
 * their values from events. vscode-icon is left out on purpose: it wants a codicon stylesheet on
 * the page, which the host does not ship.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';

/** The value of the vscode-textarea, vscode-textfield or vscode-single-select an event came from. */
export function valueOf(event: Event): string {
  const el = event.currentTarget as { value?: unknown } | null;
  return typeof el?.value === 'string' ? el.value : '';
}

/** Whether the vscode-checkbox an event came from is now checked. */
export function checkedOf(event: Event): boolean {
  const el = event.currentTarget as { checked?: unknown } | null;
  return el?.checked === true;
}

/**
 * A number field's text, and whether the browser holds text it cannot read as a number: a
 * type="number" input reports "" for "1e", and that must not read as "use the default".
 */
export function numberOf(event: Event): { raw: string; badInput: boolean } {
  const el = event.currentTarget as HTMLElementTagNameMap['vscode-textfield'] | null;
  if (!el) return { raw: '', badInput: false };
  const inner = el.shadowRoot?.querySelector('input');
  return { raw: el.value, badInput: inner?.validity.badInput === true };
}
