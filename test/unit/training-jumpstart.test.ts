/**
 * The JumpStart training facts of src/core/training: the Llama 3 8B hyperparameters and their
 * validator, the dataset-format ↔ job check with max_input_length against row token counts, and
 * the cost estimates. Each expectation is what a user reads in the launch form or the confirm.
 *
 * Sources of the expected numbers: the JumpStart Llama 3 fine-tuning notebook
 * (aws/amazon-sagemaker-examples, introduction_to_amazon_algorithms/jumpstart-foundation-models/
 * llama-3-finetuning.ipynb, "3. Supported Hyper-parameters for fine-tuning" and "4. Supported
 * Instance types"), read 2026-12-03; prices as cited in src/core/training/cost.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_JOB_HOURS, estimateJob, estimateSweep, formatUsd, priceOf, PRICE_TABLE } from '../../src/core/training/cost';
import { specsFromHub } from '../../src/core/training/hubHyperparameters';
import { checkFormatMatch, effectiveMaxInputLength, rowsOverMaxInputLength, type RowTokens } from '../../src/core/training/formatMatch';
import {
  defaultHyperparameters,
  hyperparametersFor,
  hyperparameterSpec,
  LLAMA3_8B_HYPERPARAMETERS,
  LLAMA3_8B_TRAINING_INSTANCES,
  validateHyperparameters,
  type HyperparameterProblem,
} from '../../src/core/training/jumpstartHyperparameters';

void describe('JumpStart Llama 3 8B hyperparameters', () => {
  void it('lists the ones that decide a run first, in the order the form shows them', () => {
    assert.deepEqual(
      LLAMA3_8B_HYPERPARAMETERS.slice(0, 10).map((h) => h.name),
      ['epoch', 'learning_rate', 'lora_r', 'lora_alpha', 'lora_dropout', 'target_modules', 'max_input_length', 'validation_split_ratio', 'instruction_tuned', 'chat_dataset'],
    );
  });

  void it('has the notebook\'s defaults, as the strings SageMaker receives', () => {
    const d = defaultHyperparameters();
    assert.deepEqual(
      {
        epoch: d.epoch, learning_rate: d.learning_rate, lora_r: d.lora_r, lora_alpha: d.lora_alpha, lora_dropout: d.lora_dropout,
        max_input_length: d.max_input_length, validation_split_ratio: d.validation_split_ratio, instruction_tuned: d.instruction_tuned,
        chat_dataset: d.chat_dataset, per_device_train_batch_size: d.per_device_train_batch_size, per_device_eval_batch_size: d.per_device_eval_batch_size,
        int8_quantization: d.int8_quantization, enable_fsdp: d.enable_fsdp, max_train_samples: d.max_train_samples, max_val_samples: d.max_val_samples,
        train_data_split_seed: d.train_data_split_seed, preprocessing_num_workers: d.preprocessing_num_workers,
      },
      {
        epoch: '5', learning_rate: '0.0001', lora_r: '8', lora_alpha: '32', lora_dropout: '0.05',
        max_input_length: '-1', validation_split_ratio: '0.2', instruction_tuned: 'False',
        chat_dataset: 'False', per_device_train_batch_size: '4', per_device_eval_batch_size: '1',
        int8_quantization: 'False', enable_fsdp: 'True', max_train_samples: '-1', max_val_samples: '-1',
        train_data_split_seed: '0', preprocessing_num_workers: 'None',
      },
    );
    // target_modules has no documented default for these models: the hub spec's is used.
    assert.equal('target_modules' in d, false);
  });

  void it('gives every hyperparameter a one-line explanation and a source', () => {
    for (const h of LLAMA3_8B_HYPERPARAMETERS) {
      assert.ok(h.explain.length > 10 && !h.explain.includes('\n'), h.name);
      assert.match(h.source, /^https:\/\//, h.name);
    }
    assert.ok(hyperparameterSpec('target_modules')?.unconfirmed, 'target_modules is flagged as not in the notebook\'s list');
  });

  void it('applies to the Llama 3 8B ids and sends others to the hub spec', () => {
    assert.equal(hyperparametersFor('meta-textgeneration-llama-3-8b'), LLAMA3_8B_HYPERPARAMETERS);
    assert.equal(hyperparametersFor('meta-textgeneration-llama-3-8b-instruct'), LLAMA3_8B_HYPERPARAMETERS);
    assert.equal(hyperparametersFor('meta-textgeneration-llama-3-1-8b'), undefined);
    assert.deepEqual([...LLAMA3_8B_TRAINING_INSTANCES], ['ml.g5.12xlarge', 'ml.g5.24xlarge', 'ml.g5.48xlarge', 'ml.p3dn.24xlarge', 'ml.g4dn.12xlarge']);
  });
});

void describe('validateHyperparameters', () => {
  void it('accepts the defaults and a typical sweep point', () => {
    assert.deepEqual(validateHyperparameters({}), []);
    assert.deepEqual(validateHyperparameters({ epoch: 3, learning_rate: '2e-4', lora_r: 16, lora_alpha: 32, lora_dropout: 0.1, target_modules: 'q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj', max_input_length: 2048, instruction_tuned: true }), []);
    assert.deepEqual(validateHyperparameters({ max_input_length: -1, max_train_samples: '-1', preprocessing_num_workers: 'None', epoch: 1 }), []);
  });

  void it('says what is wrong with a value and what it must be', () => {
    const msgs = (v: Record<string, string | number | boolean>): string[] => validateHyperparameters(v).map((p) => p.message);
    assert.deepEqual(msgs({ epoch: '2.5' }), ['epoch is "2.5"; it must be a whole number, at least 1.']);
    assert.deepEqual(msgs({ epoch: 0 }), ['epoch is 0; it must be at least 1.']);
    assert.deepEqual(msgs({ learning_rate: 0 }), ['learning_rate is 0; it must be greater than 0.']);
    assert.deepEqual(msgs({ learning_rate: 'fast' }), ['learning_rate is "fast"; it must be a number, greater than 0.']);
    assert.deepEqual(msgs({ lora_dropout: 1.5 }), ['lora_dropout is 1.5; it must be between 0 and 1.']);
    assert.deepEqual(msgs({ max_input_length: 0 }), ['max_input_length is 0; it must be at least 1 or -1 (-1 means min(1024, the tokenizer\'s maximum)).']);
    assert.deepEqual(msgs({ validation_split_ratio: '-0.1' }), ['validation_split_ratio is -0.1; it must be between 0 and 1.']);
    assert.deepEqual(msgs({ instruction_tuned: 'yes' }), ['instruction_tuned is "yes"; it must be "True" or "False".']);
    assert.deepEqual(msgs({ target_modules: 'q_proj,attn' }), ['target_modules names "attn", not a linear layer of Llama; use q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj.']);
    assert.deepEqual(msgs({ lora_rank: 8 }), ['"lora_rank" is not a hyperparameter of this model: its spec has no such name. Remove it, or check the spelling.']);
  });

  void it('refuses the combinations the notebook rules out', () => {
    const first = (problems: readonly HyperparameterProblem[]): HyperparameterProblem => {
      assert.equal(problems.length, 1);
      const [p] = problems;
      assert.ok(p);
      return p;
    };
    const both = first(validateHyperparameters({ instruction_tuned: 'True', chat_dataset: 'True' }));
    assert.equal(both.severity, 'error');
    assert.match(both.message, /at most one of them/);
    const int8Fsdp = first(validateHyperparameters({ int8_quantization: 'True' })); // enable_fsdp defaults to True
    assert.equal(int8Fsdp.severity, 'error');
    assert.match(int8Fsdp.message, /does not support int8 quantization with FSDP/);
    const neither = first(validateHyperparameters({ enable_fsdp: false }));
    assert.equal(neither.severity, 'warning');
    assert.match(neither.message, /runs out of CUDA memory on every g5 instance/);
  });
});

void describe('checkFormatMatch', () => {
  void it('passes a dataset whose format matches the job', () => {
    assert.equal(checkFormatMatch('jumpstart-instruction', { instruction_tuned: 'True', chat_dataset: 'False' }), undefined);
    assert.equal(checkFormatMatch('jumpstart-chat', { chat_dataset: true }), undefined);
    assert.equal(checkFormatMatch('text', {}), undefined);
  });

  void it('names both sides and the fix when an instruction file meets a job left on its defaults', () => {
    const p = checkFormatMatch('jumpstart-instruction', {});
    assert.equal(
      p?.message,
      'The dataset is a JumpStart instruction file (records filled into template.json), but the job has instruction_tuned="False" and chat_dataset="False", ' +
        'so JumpStart would run domain adaptation on each record\'s "text". Set instruction_tuned="True" and chat_dataset="False".',
    );
    assert.deepEqual(p.fix, { instruction_tuned: 'True', chat_dataset: 'False' });
  });

  void it('catches a chat file sent to an instruction-tuning job', () => {
    const p = checkFormatMatch('jumpstart-chat', { instruction_tuned: 'True', chat_dataset: 'False' });
    assert.match(p?.message ?? '', /JumpStart chat file .* instruction_tuned="True" and chat_dataset="False", so JumpStart would run instruction tuning on it\. Set instruction_tuned="False" and chat_dataset="True"\./);
  });

  void it('catches a chat_dataset left on when instruction_tuned already matches', () => {
    const p = checkFormatMatch('text', { chat_dataset: 'True' });
    assert.equal(
      p?.message,
      'The dataset is a plain text file (domain adaptation), but the job has instruction_tuned="False" and chat_dataset="True", ' +
        'so JumpStart would run chat fine-tuning on it. Set instruction_tuned="False" and chat_dataset="False".',
    );
    assert.match(checkFormatMatch('jumpstart-instruction', { instruction_tuned: 'True', chat_dataset: 'True' })?.message ?? '', /so JumpStart cannot take both \(at most one of the two may be "True"\)\. Set instruction_tuned="True" and chat_dataset="False"\./);
  });

  void it('says a format JumpStart does not read cannot be fixed by a setting', () => {
    const p = checkFormatMatch('openai-chat', { chat_dataset: 'True' });
    assert.equal(p?.fix, undefined);
    assert.match(p?.message ?? '', /openai-chat format, which JumpStart fine-tuning does not read/);
  });
});

void describe('max_input_length against the rows', () => {
  const rows: RowTokens[] = [
    { line: 0, tokens: 300, complete: true },
    { line: 1, tokens: 1024, complete: true },
    { line: 2, tokens: 1025, complete: true },
    { line: 5, tokens: 5000, complete: false },
    { line: 3, tokens: 2100, complete: true },
  ];

  void it('reads -1 as min(1024, the tokenizer\'s maximum) and caps a value at the tokenizer\'s maximum', () => {
    assert.deepEqual(effectiveMaxInputLength(undefined), { ok: true, tokens: 1024, how: 'max_input_length -1: min(1,024, the tokenizer\'s maximum) = 1,024 tokens' });
    const small = effectiveMaxInputLength('-1', 512);
    assert.ok(small.ok);
    assert.equal(small.tokens, 512);
    const capped = effectiveMaxInputLength(4096, 2048);
    assert.ok(capped.ok);
    assert.equal(capped.tokens, 2048);
    assert.equal(effectiveMaxInputLength('0').ok, false);
  });

  void it('counts the rows that would be cut and lists their lines, 1-based', () => {
    const r = rowsOverMaxInputLength(rows, undefined);
    assert.ok('cut' in r);
    assert.deepEqual(r.cut.map((c) => c.line), [2, 3, 5]);
    assert.equal(
      r.message,
      '3 of 5 rows are longer than max_input_length -1: min(1,024, the tokenizer\'s maximum) = 1,024 tokens and would be cut (lines 3, 4, 6): ' +
        'the trainer keeps the first 1,024 tokens and never learns the rest, usually the end of the answer. Raise max_input_length, or shorten or split those rows.',
    );
  });

  void it('reports none cut when the limit is raised, and shortens a long list of lines', () => {
    const r = rowsOverMaxInputLength(rows, 8192);
    assert.ok('cut' in r);
    assert.equal(r.message, 'All 5 rows fit in max_input_length 8,192.');
    const many: RowTokens[] = Array.from({ length: 25 }, (_, i) => ({ line: i, tokens: 2000, complete: true }));
    const m = rowsOverMaxInputLength(many, '1024');
    assert.ok('cut' in m);
    assert.match(m.message, /^25 of 25 rows .* \(lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 15 more\)/);
  });

  void it('passes a bad setting\'s message through', () => {
    assert.deepEqual(rowsOverMaxInputLength(rows, 'long'), { ok: false, message: 'max_input_length is "long"; it must be a positive whole number or -1.' });
  });
});

void describe('cost', () => {
  void it('has a dated, cited price for the instances these jobs use', () => {
    for (const p of PRICE_TABLE) {
      assert.match(p.asOf, /^\d{4}-\d{2}-\d{2}$/);
      assert.match(p.source, /^https:\/\//);
      assert.ok(p.usdPerHour > 0);
    }
    assert.equal(priceOf('us-west-2', 'ml.g5.12xlarge', 'training')?.usdPerHour, 7.09);
    assert.equal(priceOf('us-west-2', 'ml.g5.2xlarge', 'training')?.usdPerHour, 1.515);
    assert.equal(priceOf('us-east-1', 'ml.g5.2xlarge', 'training')?.usdPerHour, 1.515);
    assert.equal(priceOf('us-east-1', 'ml.g5.12xlarge', 'training'), undefined);
    assert.equal(priceOf('us-east-1', 'ml.g5.12xlarge', 'inference')?.usdPerHour, 7.09);
    assert.equal(priceOf('us-east-1', 'ml.p4d.24xlarge', 'inference')?.usdPerHour, 37.688);
  });

  void it('estimates a job as count × hours × price and says whose duration it is', () => {
    const e = estimateJob({ region: 'us-west-2', instanceType: 'ml.g5.12xlarge', instanceCount: 2, hours: 3 });
    assert.ok(e.known);
    assert.equal(e.usd, 2 * 3 * 7.09);
    assert.equal(e.text, 'About $42.54: 2 instances × 3 hours as you set × $7.09/hour (ml.g5.12xlarge training, us-west-2, on-demand price as of 2026-12-03).');
    const d = estimateJob({ region: 'us-west-2', instanceType: 'ml.g5.2xlarge' });
    assert.ok(d.known);
    assert.equal(d.hoursFrom, 'default');
    assert.equal(d.hours, DEFAULT_JOB_HOURS);
    assert.match(d.text, /1 hour assumed \(a job's run time cannot be known before it runs: set your own\)/);
  });

  void it('says "no price known" for a region or instance it has no price for, never a guess', () => {
    const e = estimateJob({ region: 'eu-west-1', instanceType: 'ml.g5.12xlarge' });
    assert.equal(e.known, false);
    assert.equal(e.text, 'No price known for ml.g5.12xlarge training in eu-west-1: TuneLab has no cited price for it, so it shows none rather than a guess.');
    assert.equal(estimateJob({ region: 'us-west-2', instanceType: 'ml.p4d.24xlarge' }).known, false);
    assert.equal(estimateJob({ region: 'us-west-2', instanceType: 'ml.g5.12xlarge', instanceCount: 0 }).known, false);
  });

  void it('prices an endpoint by the hour with its inference price', () => {
    const e = estimateJob({ region: 'us-east-1', instanceType: 'ml.g5.2xlarge', hours: 24 }, 'inference');
    assert.ok(e.known);
    assert.equal(formatUsd(e.usd), '$36.36');
    assert.match(e.text, / × \$1\.515\/hour \(ml\.g5\.2xlarge real-time inference, us-east-1, /);
  });

  void it('totals a sweep, and says how much is unknown when some jobs have no price', () => {
    const six = Array.from({ length: 6 }, () => ({ region: 'us-west-2', instanceType: 'ml.g5.12xlarge', hours: 2 }));
    const s = estimateSweep(six);
    assert.equal(s.unknown, 0);
    assert.equal(s.text, 'About $85.08 for 6 jobs.');
    const mixed = estimateSweep([{ region: 'us-west-2', instanceType: 'ml.g5.24xlarge' }, { region: 'us-east-1', instanceType: 'ml.g5.24xlarge' }]);
    assert.equal(mixed.unknown, 1);
    assert.equal(mixed.text, 'At least $10.18 for 1 priced job; 1 job has no price known, so the total is higher by an unknown amount.');
    assert.equal(estimateSweep([{ region: 'xx-1', instanceType: 'ml.g5.2xlarge' }]).text, 'No price known for any of the 1 job: the total cannot be estimated.');
  });

  void it('formats small amounts so a short job does not read $0.00', () => {
    assert.equal(formatUsd(0.0421), '$0.042');
    assert.equal(formatUsd(1234.5), '$1,234.50');
  });
});

void describe('specsFromHub', () => {
  // Entries as a hub document gives them: the shapes (and values) of the Gemma 2B Instruct hub
  // content in the SageMaker Python SDK's tests (tests/unit/sagemaker/jumpstart/constants.py).
  const hub: unknown = [
    { Name: 'peft_type', Type: 'text', Default: 'lora', Options: ['lora', 'None'], Scope: 'algorithm' },
    { Name: 'chat_dataset', Type: 'text', Default: 'True', Options: ['True', 'False'], Scope: 'algorithm' },
    { Name: 'epoch', Type: 'int', Default: 1, Min: 1, Max: 1000, Scope: 'algorithm' },
    { Name: 'learning_rate', Type: 'float', Default: 0.0001, Min: 1e-8, Max: 1, Scope: 'algorithm' },
    { Name: 'lora_alpha', Type: 'int', Default: 16, Min: 0, Scope: 'algorithm' },
    { Name: 'max_input_length', Type: 'int', Default: 1024, Min: -1, Scope: 'algorithm' },
    { Name: 'warmup_ratio', Type: 'float', Default: 0.1, ExclusiveMin: 0, Max: 1, Scope: 'algorithm' },
    { Name: 'odd', Type: 'list', Default: [] },
    'not an entry',
  ];

  void it('reads names, kinds, defaults and bounds, in the order of TuneLab\'s table first', () => {
    const { specs, skipped } = specsFromHub(hub);
    assert.deepEqual(specs.map((s) => s.name), ['epoch', 'learning_rate', 'lora_alpha', 'max_input_length', 'chat_dataset', 'peft_type', 'warmup_ratio']);
    assert.deepEqual(skipped, ['odd: unknown Type "list"', 'an entry that is not an object']);
    const by = new Map(specs.map((s) => [s.name, s]));
    assert.equal(by.get('chat_dataset')?.kind, 'boolean');
    assert.equal(by.get('chat_dataset')?.default, 'True');
    assert.equal(by.get('epoch')?.default, '1');
    assert.deepEqual(by.get('learning_rate')?.min, { value: 1e-8, inclusive: true });
    assert.deepEqual(by.get('warmup_ratio')?.min, { value: 0, inclusive: false });
    assert.deepEqual(by.get('peft_type')?.options, ['lora', 'None']);
    assert.match(by.get('epoch')?.explain ?? '', /Passes over the training data/);
  });

  void it('validates a job against the hub\'s ranges rather than TuneLab\'s table', () => {
    const { specs } = specsFromHub(hub);
    const msgs = (v: Record<string, string | number | boolean>): string[] => validateHyperparameters(v, specs).map((p) => p.message);
    assert.deepEqual(msgs({ epoch: 1001 }), ['epoch is 1001; it must be between 1 and 1000.']);
    assert.deepEqual(msgs({ lora_alpha: 0, max_input_length: -1 }), []);
    assert.deepEqual(msgs({ peft_type: 'qlora' }), ['peft_type is "qlora"; it must be one of "lora", "None".']);
    assert.deepEqual(msgs({ warmup_ratio: 0 }), ['warmup_ratio is 0; it must be greater than 0 and at most 1.']);
    assert.deepEqual(msgs({ lora_r: 8 }), ['"lora_r" is not a hyperparameter of this model: its spec has no such name. Remove it, or check the spelling.']);
  });
});
