/**
 * JumpStart's `template.json`: `{"prompt": "…{instruction}…{context}…", "completion": " {response}"}`.
 * Its placeholders are the keys every record of an instruction dataset must have; the
 * completion's are the answer side.
 *
 * Placeholders follow Python's `str.format`, which JumpStart uses to fill them: `{{` and `}}`
 * are literal braces, and only identifier-like names (`{instruction}`) are fields; anything else
 * in braces (`{0}`, `{ x }`) is left alone.
 */
import type { FormatContext } from '../lint/types';

export type TemplateResult = { ok: true; ctx: FormatContext } | { ok: false; message: string };

const EXAMPLE = '{"prompt": "Below is an instruction…\\n\\n### Instruction:\\n{instruction}\\n\\n### Input:\\n{context}\\n\\n", "completion": " {response}"}';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*\}/;

/** The `{name}` placeholders of a template string, in order, each once. */
export function placeholders(text: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if ((c === '{' || c === '}') && text.charAt(i + 1) === c) {
      i++; // an escaped brace
      continue;
    }
    if (c !== '{') continue;
    const m = NAME.exec(text.slice(i + 1, i + 66));
    if (m === null) continue;
    const name = m[0].slice(0, -1);
    if (!names.includes(name)) names.push(name);
    i += m[0].length;
  }
  return names;
}

/** Reads a `template.json`; a mistake gives a message that says what to fix. */
export function parseTemplate(text: string): TemplateResult {
  let value: unknown;
  try {
    value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return fail(`The template is not valid JSON (${detail}). It must be one object like ${EXAMPLE}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`The template must be a JSON object like ${EXAMPLE}.`);
  }
  const t = value as Record<string, unknown>;
  for (const key of ['prompt', 'completion'] as const) {
    if (!Object.hasOwn(t, key)) {
      const what = key === 'prompt' ? 'the prompt text with the dataset\'s fields as placeholders, e.g. "### Instruction:\\n{instruction}"' : 'the answer\'s placeholder, e.g. " {response}"';
      return fail(`The template has no "${key}". Add "${key}": ${what}.`);
    }
    if (typeof t[key] !== 'string') {
      return fail(`The template's "${key}" must be a string with {placeholders}, e.g. ${key === 'prompt' ? '"{instruction}\\n\\n{context}"' : '" {response}"'}.`);
    }
  }
  const prompt = placeholders(t.prompt as string);
  const completion = placeholders(t.completion as string);
  if (prompt.length === 0) {
    return fail('The template\'s "prompt" has no {placeholder}, so no field of the dataset reaches the model. Name the fields in braces, e.g. "{instruction}".');
  }
  if (completion.length === 0) {
    return fail('The template\'s "completion" has no {placeholder}, so the model has no answer to learn. Name the answer field in braces, e.g. " {response}".');
  }
  const templateKeys = [...prompt];
  for (const k of completion) if (!templateKeys.includes(k)) templateKeys.push(k);
  return { ok: true, ctx: { templateKeys, completionKeys: completion, template: { prompt: t.prompt as string, completion: t.completion as string } } };
}

/**
 * A template string filled the way JumpStart fills it, Python's `template.format(**record)`:
 * each `{name}` becomes the record's value (empty when it has none), `{{` and `}}` become single
 * braces, and anything else in braces is left as written.
 */
export function fillTemplate(text: string, values: (name: string) => string | undefined): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if ((c === '{' || c === '}') && text.charAt(i + 1) === c) {
      out += text.slice(from, i + 1);
      i++;
      from = i + 1;
      continue;
    }
    if (c !== '{') continue;
    const m = NAME.exec(text.slice(i + 1, i + 66));
    if (m === null) continue;
    out += text.slice(from, i) + (values(m[0].slice(0, -1)) ?? '');
    i += m[0].length;
    from = i + 1;
  }
  return out + text.slice(from);
}

function fail(message: string): TemplateResult {
  return { ok: false, message };
}
