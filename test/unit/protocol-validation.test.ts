import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRequest, type RequestCheck } from '../../src/core/protocolValidation';

/** The check must refuse; returns the refusal so the test can look at its id and error. */
function refused(message: unknown): { readonly id: number | undefined; readonly error: string } {
  const check: RequestCheck = checkRequest(message);
  assert.equal(check.ok, false, `expected a refusal for ${JSON.stringify(message)}`);
  assert.ok(check.error.length > 0, 'a refusal carries an error message for the log');
  return check;
}

void describe('checkRequest: what a webview may send the host', () => {
  void describe('accepts', () => {
    void it('panel/ready with null params, handing back the same request', () => {
      const message = { kind: 'request', id: 0, method: 'panel/ready', params: null };
      const check = checkRequest(message);
      assert.ok(check.ok, check.ok ? '' : check.error);
      assert.deepEqual(check.request, message);
    });

    for (const command of ['tunelab.getStarted', 'tunelab.showLog'] as const) {
      void it(`command/run for the allowed command ${command}`, () => {
        const message = { kind: 'request', id: 7, method: 'command/run', params: { command } };
        const check = checkRequest(message);
        assert.ok(check.ok, check.ok ? '' : check.error);
        assert.deepEqual(check.request, message);
      });
    }

    void it('the largest safe integer id', () => {
      assert.equal(checkRequest({ kind: 'request', id: Number.MAX_SAFE_INTEGER, method: 'panel/ready', params: null }).ok, true);
    });
  });

  void describe('refuses a message that is not a request envelope', () => {
    const cases: readonly (readonly [string, unknown])[] = [
      ['undefined', undefined],
      ['null', null],
      ['a string', 'panel/ready'],
      ['a number', 42],
      ['a boolean', true],
      ['an array', [{ kind: 'request', id: 1, method: 'panel/ready', params: null }]],
      ['an empty object', {}],
    ];
    for (const [name, message] of cases) {
      void it(name, () => {
        assert.equal(refused(message).id, undefined);
      });
    }

    void it('a request without an id', () => {
      refused({ kind: 'request', method: 'panel/ready', params: null });
    });

    for (const id of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2, '1', null]) {
      void it(`a request whose id is ${String(id)} (${typeof id})`, () => {
        refused({ kind: 'request', id, method: 'panel/ready', params: null });
      });
    }

    for (const kind of ['response', 'notification', 'REQUEST', undefined]) {
      void it(`a message of kind ${String(kind)}`, () => {
        refused({ kind, id: 1, method: 'panel/ready', params: null });
      });
    }

    void it('a request without params (params must be present, even if null)', () => {
      refused({ kind: 'request', id: 1, method: 'panel/ready' });
    });

    void it('a request with an extra envelope field', () => {
      refused({ kind: 'request', id: 1, method: 'panel/ready', params: null, extra: true });
    });

    void it('a request whose method is not a string', () => {
      refused({ kind: 'request', id: 1, method: 12, params: null });
    });
  });

  void describe('refuses an unknown method, naming it and returning the id so the host can answer', () => {
    for (const method of ['panel/unknown', 'command/execute', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      void it(`'${method}'`, () => {
        const { id, error } = refused({ kind: 'request', id: 31, method, params: null });
        assert.equal(id, 31);
        assert.ok(error.includes(JSON.stringify(method)), `error should name the method: ${error}`);
      });
    }

    void it('escapes the method, so a webview cannot forge lines in the log', () => {
      const { error } = refused({ kind: 'request', id: 4, method: 'x\n[error] forged line\r', params: null });
      assert.ok(!/[\r\n]/.test(error), `error has a raw line break: ${JSON.stringify(error)}`);
      assert.ok(error.includes('\\n[error] forged line'), error);
    });

    void it('keeps the error short when the method string is huge', () => {
      const method = `x${'A'.repeat(1_000_000)}`;
      const { error } = refused({ kind: 'request', id: 3, method, params: null });
      assert.ok(error.length <= 300, `error is ${error.length} characters long`);
    });

    void it('keeps the error short for a method just over any cut-off', () => {
      for (const length of [99, 100, 101, 1000]) {
        const { error } = refused({ kind: 'request', id: 3, method: 'm'.repeat(length), params: null });
        assert.ok(error.length <= 300, `method of ${length} characters gave an error of ${error.length}`);
      }
    });
  });

  void describe('returns the id of a refused envelope when the id itself is usable, so the panel is answered', () => {
    const cases: readonly (readonly [string, unknown])[] = [
      ['an extra envelope field', { kind: 'request', id: 12, method: 'panel/ready', params: null, extra: true }],
      ['a wrong kind', { kind: 'notification', id: 12, method: 'panel/ready', params: null }],
      ['a method over the length limit', { kind: 'request', id: 12, method: 'm'.repeat(101), params: null }],
      ['no params', { kind: 'request', id: 12, method: 'panel/ready' }],
    ];
    for (const [name, message] of cases) {
      void it(name, () => {
        assert.equal(refused(message).id, 12);
      });
    }

    for (const [name, id] of [['a negative id', -1], ['a fractional id', 1.5], ['a string id', '12'], ['an unsafe id', 2 ** 60]] as const) {
      void it(`but not ${name}`, () => {
        assert.equal(refused({ kind: 'request', id, method: 'nope', params: null, extra: 1 }).id, undefined);
      });
    }
  });

  void describe('refuses bad params, returning the id', () => {
    const cases: readonly (readonly [string, string, unknown])[] = [
      ['panel/ready with an object', 'panel/ready', {}],
      ['panel/ready with a string', 'panel/ready', 'null'],
      ['command/run with null', 'command/run', null],
      ['command/run with no command', 'command/run', {}],
      ['command/run with an extra params field', 'command/run', { command: 'tunelab.showLog', args: ['x'] }],
      ['command/run with a non-string command', 'command/run', { command: 1 }],
      ['command/run with an array', 'command/run', ['tunelab.showLog']],
    ];
    for (const [name, method, params] of cases) {
      void it(name, () => {
        const { id, error } = refused({ kind: 'request', id: 5, method, params });
        assert.equal(id, 5);
        assert.ok(error.includes(method), `error should name the method: ${error}`);
      });
    }
  });

  void describe('refuses commands outside the allowlist: a webview must not run arbitrary commands', () => {
    const commands = [
      'workbench.action.terminal.new',
      'workbench.action.openSettings',
      'vscode.open',
      'tunelab.openTopicsFile',
      'tunelab.getStarted ',
      'TUNELAB.SHOWLOG',
      '',
    ];
    for (const command of commands) {
      void it(`'${command}'`, () => {
        const { id } = refused({ kind: 'request', id: 9, method: 'command/run', params: { command } });
        assert.equal(id, 9);
      });
    }
  });

  void describe('Prompt Lab requests', () => {
    const column = { endpoint: 'ft', system: 'Be kind.', parameters: { temperature: 0.7, topP: 0.9, maxTokens: 512, seed: 42 } };
    const draft = { system: 'Be kind.', question: 'How do I renew?', columns: [{ endpoint: 'ft', system: null, parameters: {} }], samples: 2 };
    const accepted: readonly (readonly [string, unknown])[] = [
      ['endpoints/refresh', { live: true }],
      ['run/start', { runId: 'c0ffee-1', question: 'How do I renew?', columns: [column, { ...column, endpoint: 'base', parameters: {} }], samples: 3 }],
      ['run/cancel', { runId: 'c0ffee-1' }],
      ['answer/copy', { text: '<img src=x onerror=alert(1)>' }],
      ['answer/addToDataset', { question: 'Q', answer: 'A', system: '' }],
      ['draft/save', draft],
      ['draft/save', { ...draft, question: '', columns: [{ endpoint: '', system: 'own', parameters: {} }] }],
      ['prompt/save', draft],
      ['history/delete', { id: 'h-1' }],
      ['history/clear', null],
      ['draft/loaded', null],
      ['batch/start', { columns: [column] }],
      ['command/run', { command: 'tunelab.addEndpoint' }],
    ];
    for (const [method, params] of accepted) {
      void it(`accepts ${method} ${JSON.stringify(params).slice(0, 60)}`, () => {
        const check = checkRequest({ kind: 'request', id: 3, method, params });
        assert.ok(check.ok, check.ok ? '' : check.error);
      });
    }

    const refusedCases: readonly (readonly [string, string, unknown])[] = [
      ['a temperature above 2', 'run/start', { runId: 'r', question: 'Q', columns: [{ ...column, parameters: { temperature: 2.5 } }], samples: 1 }],
      ['a top_p above 1', 'run/start', { runId: 'r', question: 'Q', columns: [{ ...column, parameters: { topP: 1.5 } }], samples: 1 }],
      ['a fractional max tokens', 'run/start', { runId: 'r', question: 'Q', columns: [{ ...column, parameters: { maxTokens: 1.5 } }], samples: 1 }],
      ['an unknown parameter', 'run/start', { runId: 'r', question: 'Q', columns: [{ ...column, parameters: { frequencyPenalty: 1 } }], samples: 1 }],
      ['five columns', 'run/start', { runId: 'r', question: 'Q', columns: [column, column, column, column, column], samples: 1 }],
      ['no columns', 'run/start', { runId: 'r', question: 'Q', columns: [], samples: 1 }],
      ['nine samples', 'run/start', { runId: 'r', question: 'Q', columns: [column], samples: 9 }],
      ['an empty question', 'run/start', { runId: 'r', question: '', columns: [column], samples: 1 }],
      ['a run id with markup', 'run/start', { runId: '<b>', question: 'Q', columns: [column], samples: 1 }],
      ['a run id of 65 characters', 'run/cancel', { runId: 'a'.repeat(65) }],
      ['an empty endpoint id', 'batch/start', { columns: [{ ...column, endpoint: '' }] }],
      ['a column without a system prompt', 'batch/start', { columns: [{ endpoint: 'ft', parameters: {} }] }],
      ['a draft column whose system is a number', 'draft/save', { ...draft, columns: [{ endpoint: 'ft', system: 1, parameters: {} }] }],
      ['a draft with zero samples', 'draft/save', { ...draft, samples: 0 }],
      ['a system prompt over the size limit', 'prompt/save', { ...draft, system: 'x'.repeat(200_001) }],
      ['copying a non-string', 'answer/copy', { text: 1 }],
      ['adding to the dataset without a question', 'answer/addToDataset', { question: '', answer: 'A', system: '' }],
      ['history/clear with params', 'history/clear', { all: true }],
    ];
    for (const [name, method, params] of refusedCases) {
      void it(`refuses ${name}`, () => {
        const { id, error } = refused({ kind: 'request', id: 4, method, params });
        assert.equal(id, 4);
        assert.ok(error.includes(method), error);
      });
    }
  });
});
