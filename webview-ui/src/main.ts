import { render } from 'lit';
import { renderApp } from './app';
import { PromptLab } from './controller';
import { HostClient } from './host';
import './styles.css';

const app = document.getElementById('app');
if (app) {
  // The host's page makes the whole app a live region. Streamed answers would then be read out
  // chunk by chunk; the panel announces through its own status line instead.
  app.removeAttribute('aria-live');
  const lab = new PromptLab(new HostClient(), (model, actions) => {
    render(renderApp(model, actions), app);
  });
  lab.start();
}
