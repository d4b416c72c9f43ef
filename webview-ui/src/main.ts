import '@vscode-elements/elements/dist/vscode-button/index.js';
import { html, render } from 'lit';
import type { Bootstrap, PanelCommand } from '../../src/core/protocol';
import { HostClient } from './host';
import './styles.css';

const host = new HostClient();
const app = document.getElementById('app');

/**
 * Until Prompt Lab is built, the panel says plainly what it will do and what works now.
 * Everything shown goes through lit's templates, which escape text: nothing is set as HTML.
 */
function draw(boot: Bootstrap | undefined, error?: string): void {
  if (!app) return;
  const status = !boot
    ? 'Connecting to TuneLab…'
    : `TuneLab ${boot.version} · ${boot.trusted ? 'workspace trusted' : 'Restricted Mode: TuneLab makes no network calls in this workspace'}`;
  render(
    html`
      <h2>Prompt Lab</h2>
      <p>
        Prompt Lab is not available yet. It will run a system prompt, temperature and top_p against one or more of
        your endpoints side by side, streamed, so you can compare a fine-tuned model with its base model.
      </p>
      <p class="status" role="status">${status}</p>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <div class="actions">
        <vscode-button @click=${() => { run('tunelab.getStarted'); }}>Get Started</vscode-button>
        <vscode-button secondary @click=${() => { run('tunelab.showLog'); }}>Show Log</vscode-button>
      </div>
    `,
    app,
  );
}

let boot: Bootstrap | undefined;

function run(command: PanelCommand): void {
  host.request('command/run', { command }).catch((err: unknown) => {
    draw(boot, err instanceof Error ? err.message : String(err));
  });
}

host.on('trust/changed', ({ trusted }) => {
  if (boot) draw((boot = { ...boot, trusted }));
});

draw(undefined);
host.request('panel/ready', null).then(
  (b) => {
    draw((boot = b));
  },
  (err: unknown) => {
    draw(undefined, `TuneLab did not answer: ${err instanceof Error ? err.message : String(err)}`);
  },
);
