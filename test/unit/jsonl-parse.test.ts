import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { firstInvalidUtf8, invalidUtf8Message, LineSplitter, tooLongLineMessage, type StreamLine } from '../../src/core/jsonl/lines';
import { parseDocument, parseLine, splitLines, type ParsedLine } from '../../src/core/jsonl/parse';

/** The error a line gives, or a failed assertion naming what it gave instead. */
function errorOf(text: string): Extract<ParsedLine, { kind: 'error' }> {
  const r = parseLine(text, 0);
  assert.equal(r.kind, 'error', `expected an error for ${JSON.stringify(text)}, got ${JSON.stringify(r)}`);
  return r;
}

function recordOf(text: string): Extract<ParsedLine, { kind: 'record' }> {
  const r = parseLine(text, 0);
  assert.equal(r.kind, 'record', `expected a record for ${JSON.stringify(text)}, got ${JSON.stringify(r)}`);
  return r;
}

void describe('parseLine: broken lines get exact columns and a message that says what to do', () => {
  // [line, start, end, a phrase the message contains]
  const cases: readonly (readonly [string, number, number, RegExp])[] = [
    ['{"a":1 "b":2}', 7, 10, /Expected a comma or '}' after a property value/],
    ['{"a":[1,2}', 9, 10, /Expected a comma or '\]' after an array element/],
    ['{"a":1', 5, 6, /Unexpected end of line: the object is not closed; add '}'/],
    ['{"a":', 4, 5, /Unexpected end of line: the object is not closed/],
    ['{"a":1,}', 6, 7, /Trailing comma: remove the ','/],
    ['{"a":[1,]}', 7, 8, /Trailing comma: remove the ',' before '\]'/],
    ['{"a":1} // note', 8, 15, /Comments are not allowed in JSON Lines/],
    ['{/*x*/"a":1}', 1, 6, /Comments are not allowed in JSON Lines/],
    ["{'a':1}", 1, 4, /double quotes/],
    ['{a:1}', 1, 2, /Property names must be in double quotes: write "a"/],
    ['{"a" 1}', 5, 6, /Expected ':' after the property name/],
    ['{"a":}', 5, 6, /Expected a value after ':'/],
    ['{"a":1}}', 7, 8, /after the end of the object: remove it/],
    ['{"a":1} x', 8, 9, /Unexpected text after the end of the object/],
    ['{"a":NaN}', 5, 8, /NaN is not a JSON value: use null or a number/],
    ['{"a":tru}', 5, 8, /Unknown word 'tru'/],
    ['{"a":1.}', 5, 7, /Incomplete number '1\.'/],
    ['{"a":01}', 5, 7, /leading zeros/],
    ['{"a":"abc', 5, 9, /Unterminated string: add the closing '"'/],
    ['{"a":"x\ty"}', 7, 8, /Control character U\+0009 inside a string: write it as \\t/],
    ['{"a":"\\q"}', 6, 8, /Invalid escape '\\q'/],
    ['{"a":"\\u12"}', 6, 10, /Invalid \\u escape: write exactly four hex digits/],
    ['{"a":1,,"b":2}', 7, 8, /Extra comma/],
    ['\u00a0{"a":1}', 0, 1, /U\+00A0 is not JSON whitespace/],
  ];
  for (const [text, start, end, message] of cases) {
    void it(`${JSON.stringify(text)} → columns ${start}–${end}`, () => {
      const e = errorOf(text);
      assert.deepEqual({ start: e.start, end: e.end }, { start, end });
      assert.match(e.message, message);
    });
  }

  void it('keeps the line number it was given', () => {
    assert.equal(errorOf('{').line, 0);
    assert.equal(parseLine('{', 41).line, 41);
  });
});

void describe('parseLine: blank and non-object lines', () => {
  void it('reports empty and whitespace-only lines as blank', () => {
    for (const text of ['', ' ', '\t', '   \t  ']) assert.deepEqual(parseLine(text, 3), { kind: 'blank', line: 3 });
  });

  const nonObjects: readonly (readonly [string, string])[] = [
    ['[{"a":1}]', 'an array'], ['"text"', 'a string'], ['42', 'a number'], ['null', 'null'], ['true', 'the boolean true'],
  ];
  for (const [text, what] of nonObjects) {
    void it(`reports ${text} as ${what}, spanning the line`, () => {
      const e = errorOf(text);
      assert.deepEqual({ start: e.start, end: e.end }, { start: 0, end: text.length });
      assert.equal(e.message.startsWith(`Each line must be one JSON object ({ … }); this line is ${what}.`), true, e.message);
    });
  }
});

void describe('splitLines and parseDocument', () => {
  void it('strips a BOM from the first line and reports it', () => {
    const d = parseDocument('\uFEFF{"a":1}\n{"b":2}\n');
    assert.equal(d.bom, true);
    assert.deepEqual(d.lines.map((l) => l.kind), ['record', 'record']);
    assert.deepEqual(splitLines('{"a":1}').bom, false);
  });

  void it('strips the \\r of CRLF line ends and reports the line end', () => {
    const s = splitLines('{"a":1}\r\n{"b":2}\r\n');
    assert.deepEqual(s, { lines: ['{"a":1}', '{"b":2}'], bom: false, eol: '\r\n', finalNewline: true });
    assert.equal(splitLines('{"a":1}\n{"b":2}').eol, '\n');
    assert.deepEqual(parseDocument('{"a":1}\r\n{"b":2}').lines.map((l) => l.kind), ['record', 'record']);
  });

  void it('does not count the empty piece after a final newline as a line', () => {
    const withNewline = parseDocument('{"a":1}\n');
    assert.equal(withNewline.finalNewline, true);
    assert.deepEqual(withNewline.lines.map((l) => l.kind), ['record']);
    const without = parseDocument('{"a":1}');
    assert.equal(without.finalNewline, false);
    assert.deepEqual(without.lines.map((l) => l.kind), ['record']);
    assert.deepEqual(parseDocument('').lines, []);
  });

  void it('reports a blank line in the middle and a second newline at the end', () => {
    const d = parseDocument('{"a":1}\n\n{"b":2}\n\n');
    assert.deepEqual(d.lines.map((l) => [l.kind, l.line]), [['record', 0], ['blank', 1], ['record', 2], ['blank', 3]]);
  });

  void it('numbers lines from 0 in order', () => {
    const d = parseDocument('{"a":1}\n[1]\n{');
    assert.deepEqual(d.lines.map((l) => l.line), [0, 1, 2]);
    assert.deepEqual(d.lines.map((l) => l.kind), ['record', 'error', 'error']);
  });
});

void describe('parseLine: duplicate keys', () => {
  void it('reports the repeated key with the columns of its token; the value keeps the last', () => {
    const r = recordOf('{"a":1,"a":2}');
    assert.deepEqual(r.value, { a: 2 });
    assert.deepEqual(r.duplicateKeys, [{ key: 'a', start: 7, end: 10 }]);
  });

  void it('reports every repeat, in nested objects too, and not keys shared by sibling objects', () => {
    const line = '{"m":[{"role":"user","role":"x"},{"role":"assistant"}],"o":{"k":1,"k":2,"k":3}}';
    const r = recordOf(line);
    assert.deepEqual(r.duplicateKeys, [
      { key: 'role', start: 21, end: 27 },
      { key: 'k', start: 66, end: 69 },
      { key: 'k', start: 72, end: 75 },
    ]);
    for (const k of r.duplicateKeys) assert.equal(line.slice(k.start, k.end), `"${k.key}"`);
  });

  void it('allows the same key in an outer and an inner object', () => {
    assert.deepEqual(recordOf('{"a":{"a":1}}').duplicateKeys, []);
  });

  void it('gives no false positive when a string value contains "x": text', () => {
    assert.deepEqual(recordOf('{"x":"say \\"x\\": 1 and \\"x\\":2","y":"\\"y\\" :"}').duplicateKeys, []);
  });

  void it('decodes escaped keys: "\\u0061" repeats "a"', () => {
    assert.deepEqual(recordOf('{"a":1,"\\u0061":2}').duplicateKeys, [{ key: 'a', start: 7, end: 15 }]);
  });
});

void describe('parseLine: unusual but valid content', () => {
  void it('accepts lone surrogates, escaped and raw', () => {
    assert.deepEqual(recordOf('{"a":"\\ud800","b":"\\udc00x"}').value, { a: '\ud800', b: '\udc00x' });
    assert.deepEqual(recordOf('{"a":"\ud800"}').value, { a: '\ud800' });
  });

  void it('reports a lone surrogate in a broken line without throwing', () => {
    const line = '{"\ud800":1,}';
    const e = errorOf(line);
    assert.equal(line.slice(e.start, e.end), ',');
    assert.match(e.message, /Trailing comma/);
  });

  void it('parses a 1 MB line', () => {
    const big = 'x'.repeat(1024 * 1024);
    const r = recordOf(JSON.stringify({ text: big, n: [1, 2, 3] }));
    assert.equal((r.value as { text: string }).text.length, big.length);
    assert.deepEqual(r.duplicateKeys, []);
  });

  void it('finds an error at the end of a 1 MB line', () => {
    const line = JSON.stringify({ text: 'y'.repeat(1024 * 1024) }).slice(0, -1);
    const e = errorOf(line);
    assert.deepEqual({ start: e.start, end: e.end }, { start: line.length - 1, end: line.length });
  });
});

const objects = fc.dictionary(fc.string(), fc.jsonValue());

void describe('parseLine: properties', () => {
  void it('parses any JSON.stringify-ed object back to a deep-equal record without duplicate keys', () => {
    fc.assert(fc.property(objects, (obj) => {
      const text = JSON.stringify(obj);
      const r = parseLine(text, 0);
      assert.equal(r.kind, 'record');
      assert.deepEqual(r.value, JSON.parse(text));
      assert.deepEqual(r.duplicateKeys, []);
    }), { numRuns: 300 });
  });

  const chars = fc.constantFrom(...'{}[]:,"\\ \t\'/*0-1.eE+aunltr\u00a0\ud800x'.split(''));
  const mutation = fc.oneof(
    fc.record({ op: fc.constant('replace' as const), at: fc.nat(), ch: chars }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), ch: chars }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), ch: fc.constant('') }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), ch: fc.constant('') }),
  );

  void it('never throws on a mutated or truncated line and keeps ranges inside the line', () => {
    fc.assert(fc.property(objects, mutation, (obj, m) => {
      const valid = JSON.stringify(obj);
      const at = m.at % (valid.length + 1);
      const text = m.op === 'replace' ? valid.slice(0, at) + m.ch + valid.slice(at + 1)
        : m.op === 'insert' ? valid.slice(0, at) + m.ch + valid.slice(at)
          : m.op === 'delete' ? valid.slice(0, at) + valid.slice(at + 1)
            : valid.slice(0, at);
      const r = parseLine(text, 0);
      if (r.kind === 'blank') {
        assert.equal(text.trim(), '');
      } else if (r.kind === 'error') {
        assert.ok(r.start >= 0 && r.start <= r.end && r.end <= text.length, `${JSON.stringify(text)} → ${r.start}–${r.end}`);
        assert.notEqual(r.message, '');
      } else {
        for (const k of r.duplicateKeys) assert.ok(k.start >= 0 && k.start <= k.end && k.end <= text.length);
      }
    }), { numRuns: 300 });
  });
});

void describe('LineSplitter: a byte stream cut into lines, strict UTF-8, a line too long to hold reported by its size', () => {
  const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
  /** Every line of the chunks, as the splitter returns them. */
  const split = (chunks: readonly Uint8Array[], max = 1024): StreamLine[] => {
    const s = new LineSplitter(max);
    return [...chunks.flatMap((c) => s.push(c)), ...s.end()];
  };
  const texts = (lines: readonly StreamLine[]): string[] => lines.map((l) => (l.kind === 'text' ? l.text : l.kind));

  void it('cuts where VS Code does (\\n, \\r\\n, a lone \\r), keeps empty lines, and the text after the last break only when there is some', () => {
    assert.deepEqual(texts(split([bytes('a\nb\r\nc\rd\n\ne')])), ['a', 'b', 'c', 'd', '', 'e']);
    assert.deepEqual(texts(split([bytes('a\n')])), ['a']);
    assert.deepEqual(texts(split([bytes('a\n\n')])), ['a', '']);
    assert.deepEqual(texts(split([])), []);
  });

  void it('gives the same lines however the stream is chunked: a \\r\\n or a character split between chunks', () => {
    const text = '{"q":"é"}\r\n{"q":"日本"}\r\r\n{"q":"😀"}\nlast';
    const all = bytes(text);
    const whole = split([all]);
    assert.deepEqual(texts(whole), ['{"q":"é"}', '{"q":"日本"}', '', '{"q":"😀"}', 'last']);
    for (let size = 1; size <= 7; size++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < all.length; i += size) chunks.push(all.subarray(i, i + size));
      assert.deepEqual(split(chunks), whole, `chunks of ${size} bytes`);
    }
    assert.deepEqual(whole.map((l) => l.bytes), [10, 14, 0, 12, 4], 'each line\'s size in bytes, without its break');
  });

  void it('gives each line\'s byte offset in the stream, however it is chunked, so a reader can read the line again', () => {
    const text = '{"q":"é"}\r\n{"q":"日本"}\r\r\n{"q":"😀"}\n\rlast';
    const all = bytes(text);
    for (let size = 1; size <= all.length; size++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < all.length; i += size) chunks.push(all.subarray(i, i + size));
      const lines = split(chunks);
      assert.deepEqual(lines.map((l) => (l.kind === 'text' ? l.start : -1)), [0, 12, 27, 29, 42, 43], `chunks of ${size} bytes`);
      for (const l of lines) {
        if (l.kind === 'text') assert.equal(new TextDecoder().decode(all.subarray(l.start, l.start + l.bytes)), l.text);
      }
    }
  });

  void it('keeps a BOM for the reader to remove (the first line only)', () => {
    assert.deepEqual(texts(split([bytes('\uFEFF{"a":1}\n')])), ['\uFEFF{"a":1}']);
  });

  void it('a line that is not UTF-8 gives the first bad sequence, its byte offset in the line and its UTF-16 column', () => {
    // "café" written in Windows-1252 (0xE9 alone), after a character of two UTF-16 units.
    const line = Uint8Array.from([...bytes('{"q":"😀caf'), 0xe9, ...bytes('"}')]);
    const [bad, next] = split([line, bytes('\n{"q":"ok"}\n')]);
    assert.deepEqual(bad, { kind: 'invalid-utf8', bytes: 16, offset: 13, column: 11, sequence: [0xe9] });
    assert.deepEqual(next, { kind: 'text', text: '{"q":"ok"}', bytes: 10, start: 17 });
    assert.ok(bad.kind === 'invalid-utf8');
    assert.match(invalidUtf8Message(bad), /^This line is not valid UTF-8: the byte 0xE9 at byte 13 of the line is not a UTF-8 character\. .*Re-save the file as UTF-8/);
  });

  void it('finds every kind of invalid UTF-8 that RFC 3629 names: stray continuation, truncated, overlong, surrogate, above U+10FFFF', () => {
    const cases: readonly (readonly [number[], number, number])[] = [
      [[0x61, 0x80, 0x61], 1, 1], // a continuation byte with no lead
      [[0x61, 0xc3], 1, 1], // a lead byte at the end
      [[0xe2, 0x82, 0x61], 0, 2], // three-byte form cut after two
      [[0xc0, 0xaf], 0, 1], // overlong '/'
      [[0xe0, 0x80, 0xaf], 0, 1], // overlong, three bytes
      [[0xed, 0xa0, 0x80], 0, 1], // U+D800, a surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0, 1], // above U+10FFFF
      [[0xff], 0, 1],
      [[0x61, 0xf0, 0x9f, 0x98, 0x80], 5, 0], // valid: U+1F600
    ];
    for (const [input, offset, length] of cases) {
      assert.deepEqual(firstInvalidUtf8(Uint8Array.from(input)), { offset, length }, input.map((b) => b.toString(16)).join(' '));
      const decodes = ((): boolean => { try { new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(input)); return true; } catch { return false; } })();
      assert.equal(decodes, length === 0, 'agrees with the platform decoder on what is valid');
    }
  });

  void it('a line over the limit is counted as it streams past, not kept, and the lines after it are read', () => {
    const chunks = [bytes('{"a":1}\n{"long":"'), bytes('x'.repeat(3000)), bytes('x'.repeat(3000)), bytes('"}\n{"b":2}\n')];
    const lines = split(chunks, 4096);
    assert.deepEqual(lines.map((l) => [l.kind, l.bytes]), [['text', 7], ['too-long', 6011], ['text', 7]]);
    const long = lines[1];
    assert.ok(long?.kind === 'too-long');
    assert.match(tooLongLineMessage(long, 4096), /^This line is 6,011 bytes, too long to be one training example \(the longest line tunelab reads is 4,096 bytes/);
    // A last line without a break is over the limit too.
    assert.deepEqual(split([bytes('{"a":1}\n'), bytes('y'.repeat(5000))], 4096).map((l) => l.kind), ['text', 'too-long']);
    // Exactly at the limit is read.
    assert.deepEqual(split([bytes(`${'z'.repeat(4096)}\n`)], 4096).map((l) => l.kind), ['text']);
  });
});
