/**
 * The inference prompt of a model fine-tuned on a JumpStart instruction dataset, byte for byte as
 * AWS builds it. Source: the `predict_and_print` cell of AWS's JumpStart fine-tuning notebooks
 * (aws/amazon-sagemaker-examples, introduction_to_amazon_algorithms/jumpstart-foundation-models/
 * llama-2-finetuning.ipynb and llama-3-finetuning.ipynb):
 *
 *     # For instruction fine-tuning, we insert a special key between input and output
 *     input_output_demarkation_key = "\n\n### Response:\n"
 *     payload = {"inputs": template["prompt"].format(instruction=…, context=…) + input_output_demarkation_key, …}
 *
 * The template's own newlines are kept: nothing is trimmed before the key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_JUMPSTART_TEMPLATE } from '../../src/core/formats/jumpstartTemplate';
import { adapters, readJumpStartTemplate, renderJumpStartPrompt } from '../../src/endpoints/sagemaker/payloads';

/** The custom template.json the notebooks write (and train with) in their Dolly example. */
const NOTEBOOK_TEMPLATE_JSON = JSON.stringify({
  prompt: 'Below is an instruction that describes a task, paired with an input that provides further context. '
    + 'Write a response that appropriately completes the request.\n\n'
    + '### Instruction:\n{instruction}\n\n### Input:\n{context}\n\n',
  completion: ' {response}',
});

const INTRO = 'Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.';

void describe('JumpStart instruction prompt at inference', () => {
  void it('the notebooks\' template.json: the filled prompt with its trailing blank line, then "\\n\\n### Response:\\n"', () => {
    const read = readJumpStartTemplate(NOTEBOOK_TEMPLATE_JSON);
    assert.ok(read.ok);
    const prompt = renderJumpStartPrompt(
      [{ role: 'system', content: 'Dolly is an instruction-following model.' }, { role: 'user', content: 'Summarize the passage.' }],
      read.template,
    );
    // template["prompt"].format(instruction=…, context=…) + "\n\n### Response:\n", written out.
    assert.equal(prompt, `${INTRO}\n\n### Instruction:\nSummarize the passage.\n\n### Input:\nDolly is an instruction-following model.\n\n\n\n### Response:\n`);
  });

  void it('JumpStart\'s built-in template, as documented, with and without an input', () => {
    // The appendix of the same notebooks: "If no template file is given, the following template will be used".
    assert.deepEqual(DEFAULT_JUMPSTART_TEMPLATE, {
      prompt: `${INTRO}\n\n### Instruction:\n{instruction}\n\n### Input:\n{context}`,
      completion: '{response}',
    });
    assert.equal(
      renderJumpStartPrompt([{ role: 'system', content: 'Be kind.' }, { role: 'user', content: 'Renew my licence.' }], DEFAULT_JUMPSTART_TEMPLATE),
      `${INTRO}\n\n### Instruction:\nRenew my licence.\n\n### Input:\nBe kind.\n\n### Response:\n`,
    );
    // An empty {context} stays empty: its line break is the template's, not trimmed away.
    assert.equal(
      renderJumpStartPrompt([{ role: 'user', content: 'Renew my licence.' }], DEFAULT_JUMPSTART_TEMPLATE),
      `${INTRO}\n\n### Instruction:\nRenew my licence.\n\n### Input:\n\n\n### Response:\n`,
    );
  });

  void it('the request body carries those exact bytes', () => {
    const read = readJumpStartTemplate(NOTEBOOK_TEMPLATE_JSON);
    assert.ok(read.ok);
    const payload = adapters['jumpstart-text'].render({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 }, { template: read.template });
    const inputs = `${INTRO}\n\n### Instruction:\nHi\n\n### Input:\n\n\n\n\n### Response:\n`;
    assert.equal(payload.body, JSON.stringify({ inputs, parameters: { max_new_tokens: 100, do_sample: false } }));
  });

  void it('a template whose prompt already ends with its own header is sent as it is with an empty demarcation', () => {
    const template = { prompt: '<question>{instruction}</question>\n<answer>', completion: '{response}</answer>' };
    assert.equal(renderJumpStartPrompt([{ role: 'user', content: 'Q' }], template, ''), '<question>Q</question>\n<answer>');
  });
});
