/**
 * Provenance: which rows of a dataset were generated from which topic, kept beside the dataset
 * in a sidecar file so the training file holds nothing but training records.
 *
 * ```json
 * { "version": 1, "rows": { "<rowHash>": { "topic": "<topic id>", "time": "<ISO 8601>", "refusal": true } } }
 * ```
 *
 * A row is known by `rowHash`: a 64-bit hash (16 hex digits) of the record's content, parsed
 * and written back with sorted keys, so reformatting a line or reordering its keys does not
 * lose it. Editing the record's content does: an edited row no longer matches its entry and no
 * longer counts for its topic (it is the user's row now, not the generator's), and `prune`
 * drops the entry once the host decides to clean up. A deleted row no longer counts either.
 * Rows with the same content share one entry, and count once.
 *
 * Pure: the editor and the CLI read and update the sidecar through the sidecar store
 * (core/sidecarStore.ts) with `provenanceSidecar`. Every function returns a new `Provenance`;
 * none changes the one it is given.
 */
import { printable, sidecarPathFor, unparsedSidecar, type SidecarUnreadable } from '../sidecar';
import type { SidecarFormat } from '../sidecarStore';
import { hashHex } from '../dedupe/exact';

export interface ProvenanceEntry {
  /** The topic id (topicsFile.ts `topicId`). */
  readonly topic: string;
  /** When the row was generated (ISO 8601). */
  readonly time: string;
  /** The generated answer was a refusal. */
  readonly refusal?: true;
}

export interface Provenance {
  readonly version: 1;
  /** By `rowHash`. */
  readonly rows: ReadonlyMap<string, ProvenanceEntry>;
}

export const PROVENANCE_VERSION = 1;

export function emptyProvenance(): Provenance {
  return { version: 1, rows: new Map() };
}

/**
 * The hash of a record's content: 16 hex digits of a 64-bit hash of the record written with
 * sorted keys and no spaces; undefined for a line that is not one JSON object.
 */
export function rowHash(line: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let canonical: string;
  try {
    canonical = canonicalJson(value);
  } catch {
    return undefined; // nested too deep to write back
  }
  return hashHex(canonical);
}

/** JSON with every object's keys sorted (by UTF-16 code units) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const HASH = /^[0-9a-f]{16}$/;

/** What `readProvenance` gives: the rows it could read, the problems to log, and why it must not be rewritten. */
export interface ProvenanceRead {
  readonly provenance: Provenance;
  readonly problems: string[];
  /** Present when the text is not a sidecar this TuneLab reads whole: never write over it then. */
  readonly unreadable?: SidecarUnreadable;
}

const KEEP = 'the rows';

/**
 * Reads a sidecar. Tolerant: no text is an empty provenance; text that is not a version-1
 * sidecar gives an empty provenance and a problem; an entry that cannot be read is skipped with
 * a problem. With any problem, `unreadable` says why and what to do, and nothing may write over
 * the file: a merge conflict, a newer TuneLab's file or a damaged entry would be lost.
 */
export function readProvenance(text: string | undefined): ProvenanceRead {
  const problems: string[] = [];
  const refuse = (unreadable: SidecarUnreadable, problem: string, rows = new Map<string, ProvenanceEntry>()): ProvenanceRead => {
    problems.push(problem);
    return { provenance: { version: 1, rows }, problems, unreadable };
  };
  if (text === undefined || text.trim() === '') return { provenance: emptyProvenance(), problems };
  const body = text.replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const why = unparsedSidecar(body, e, KEEP);
    return refuse(why, `The provenance file ${why.reason}; no rows are known to come from a topic, and it is left as it is. ${why.fix}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse(
      { reason: 'is not a provenance file (it must be a JSON object { "version": 1, "rows": { … } })', fix: `Fix it, or delete it (${KEEP} in it are then lost)` },
      'The provenance file must be a JSON object { "version": 1, "rows": { … } }; no rows are known to come from a topic.',
    );
  }
  const record = value as Record<string, unknown>;
  if (record.version !== PROVENANCE_VERSION) {
    const version = record.version;
    const newer = typeof version === 'number' && version > PROVENANCE_VERSION;
    return refuse(
      newer
        ? { reason: `has version ${version}, written by a newer TuneLab (this one reads version ${PROVENANCE_VERSION})`, fix: 'Update TuneLab' }
        : { reason: `has version ${record.version === undefined ? 'none' : JSON.stringify(record.version)} (this TuneLab reads version ${PROVENANCE_VERSION})`, fix: `Set "version" to ${PROVENANCE_VERSION} if it is a TuneLab provenance file` },
      `The provenance file has version ${record.version === undefined ? 'none' : JSON.stringify(record.version)}; this TuneLab reads version ${PROVENANCE_VERSION}. It was left as it is.`,
    );
  }
  const rows = new Map<string, ProvenanceEntry>();
  const raw = record.rows;
  if (raw === undefined) return { provenance: { version: 1, rows }, problems };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return refuse(
      { reason: 'has "rows" that is not an object of rows by hash', fix: `Fix it, or delete the file (${KEEP} in it are then lost)` },
      '"rows" in the provenance file must be an object of rows by hash; no rows are known to come from a topic.',
    );
  }
  let skipped = 0;
  let example = '';
  for (const [hash, entry] of Object.entries(raw as Record<string, unknown>)) {
    const read = HASH.test(hash) ? readEntry(entry) : undefined;
    if (read === undefined) {
      skipped++;
      example ||= hash;
      continue;
    }
    rows.set(hash, read);
  }
  if (skipped > 0) {
    const n = `${skipped} row${skipped === 1 ? '' : 's'}`;
    example = printable(example, 40);
    return refuse(
      { reason: `has ${n} that could not be read (the first is "${example}")`, fix: `Fix or remove ${skipped === 1 ? 'that row' : 'those rows'}` },
      `${n} of the provenance file could not be read (the first is "${example}") and ${skipped === 1 ? 'was' : 'were'} skipped.`,
      rows,
    );
  }
  return { provenance: { version: 1, rows }, problems };
}

/**
 * The provenance sidecar for the sidecar store: `readProvenance` and `writeProvenance`. An
 * unreadable one keeps the rows that could be read as the value (coverage still counts them),
 * which the store gives as `partial` and never writes back.
 */
export const provenanceSidecar: SidecarFormat<Provenance> = {
  kind: 'provenance',
  parse(text) {
    const read = readProvenance(text);
    return { value: read.provenance, unreadable: read.unreadable, problem: read.problems.length === 0 ? undefined : read.problems.join(' ') };
  },
  serialize: writeProvenance,
};

/**
 * A change to a sidecar's text, as the store makes it (`SidecarStore.update` with
 * `provenanceSidecar`), without a store: the new text, or why the file must be left as it is.
 */
export function updatedProvenanceText(current: string | undefined, change: (provenance: Provenance) => Provenance): { ok: true; text: string } | ({ ok: false } & SidecarUnreadable) {
  const read = provenanceSidecar.parse(current);
  if (read.unreadable !== undefined) return { ok: false, ...read.unreadable };
  return { ok: true, text: provenanceSidecar.serialize(change(read.value)) };
}

function readEntry(value: unknown): ProvenanceEntry | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { topic, time, refusal } = value as Record<string, unknown>;
  if (typeof topic !== 'string' || typeof time !== 'string') return undefined;
  return refusal === true ? { topic, time, refusal: true } : { topic, time };
}

/** The sidecar's text: keys sorted, one row per line, a final newline. */
export function writeProvenance(provenance: Provenance): string {
  const hashes = [...provenance.rows.keys()].sort();
  if (hashes.length === 0) return `{\n  "rows": {},\n  "version": ${PROVENANCE_VERSION}\n}\n`;
  const lines = hashes.map((hash, i) => {
    const e = provenance.rows.get(hash);
    const entry = e === undefined ? '{}' : canonicalEntry(e);
    return `    ${JSON.stringify(hash)}: ${entry}${i < hashes.length - 1 ? ',' : ''}`;
  });
  return `{\n  "rows": {\n${lines.join('\n')}\n  },\n  "version": ${PROVENANCE_VERSION}\n}\n`;
}

function canonicalEntry(e: ProvenanceEntry): string {
  const parts = [...(e.refusal === true ? ['"refusal": true'] : []), `"time": ${JSON.stringify(e.time)}`, `"topic": ${JSON.stringify(e.topic)}`];
  return `{ ${parts.join(', ')} }`;
}

/**
 * Records generated rows: each line's hash is filed under its topic at `time` (a Date or an ISO
 * string). A line that is not a JSON object is skipped; a row already known is filed again
 * under the new topic and time.
 */
export function recordRows(provenance: Provenance, entries: Iterable<{ line: string; topic: string; refusal?: boolean }>, time: Date | string): Provenance {
  const stamp = typeof time === 'string' ? time : time.toISOString();
  const rows = new Map(provenance.rows);
  for (const { line, topic, refusal } of entries) {
    const hash = rowHash(line);
    if (hash === undefined) continue;
    rows.set(hash, refusal === true ? { topic, time: stamp, refusal: true } : { topic, time: stamp });
  }
  return { version: 1, rows };
}

/** The hashes of the dataset's rows (lines that are not JSON objects have none). */
function hashesOf(datasetLines: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const line of datasetLines) {
    const hash = rowHash(line);
    if (hash !== undefined) out.add(hash);
  }
  return out;
}

/** Rows per topic id, counting only rows still in the dataset (each distinct row once). */
export function coverage(provenance: Provenance, datasetLines: Iterable<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [topic, counts] of coverageDetail(provenance, datasetLines)) out.set(topic, counts.rows);
  return out;
}

/** `coverage`, with how many of each topic's rows are refusals. */
export function coverageDetail(provenance: Provenance, datasetLines: Iterable<string>): Map<string, { rows: number; refusals: number }> {
  const out = new Map<string, { rows: number; refusals: number }>();
  for (const hash of hashesOf(datasetLines)) {
    const entry = provenance.rows.get(hash);
    if (entry === undefined) continue;
    const counts = out.get(entry.topic) ?? { rows: 0, refusals: 0 };
    counts.rows++;
    if (entry.refusal === true) counts.refusals++;
    out.set(entry.topic, counts);
  }
  return out;
}

/** The provenance without the entries whose rows are no longer in the dataset. */
export function prune(provenance: Provenance, datasetLines: Iterable<string>): Provenance {
  const present = hashesOf(datasetLines);
  const rows = new Map<string, ProvenanceEntry>();
  for (const [hash, entry] of provenance.rows) if (present.has(hash)) rows.set(hash, entry);
  return { version: 1, rows };
}

/**
 * The provenance with topic ids renamed (after a category or subtopic is renamed, its topics
 * have new ids): `renames` maps old ids to new ones; other entries are kept as they are.
 */
export function renameTopics(provenance: Provenance, renames: ReadonlyMap<string, string>): Provenance {
  const rows = new Map<string, ProvenanceEntry>();
  for (const [hash, entry] of provenance.rows) {
    const topic = renames.get(entry.topic);
    rows.set(hash, topic === undefined ? entry : { ...entry, topic });
  }
  return { version: 1, rows };
}

/**
 * Where a dataset's sidecar lives: `<dir>/.tunelab/<file name>.provenance.json`, with the
 * separator the path uses (`/` or `\`). String operations only, so it works for file system
 * paths and URI paths alike.
 */
export function provenancePathFor(datasetPath: string): string {
  return sidecarPathFor(datasetPath, 'provenance');
}
