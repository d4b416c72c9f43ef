import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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
