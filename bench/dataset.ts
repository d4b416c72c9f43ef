/**
 * A deterministic generator of realistic fine-tuning datasets for benchmarks: JumpStart
 * instruction records (`{"instruction", "context", "response"}`) about public services.
 *
 * Questions are built from independent slots (template × action × service × channel × place ×
 * circumstance), so two rows picked at random share little beyond a few stock phrases, the way
 * unrelated questions in a real dataset do. Some rows are planted near-duplicates (an earlier
 * question with one word swapped, added or removed) and some are exact duplicates (an earlier
 * line, sometimes with different case and spacing in its question). The same `(n, seed,
 * options)` always gives the same rows.
 */
import { seededRandom as random } from '../test/harness/random';

export interface DatasetOptions {
  /** Share of rows that paraphrase an earlier row's question by one word (default 0.05). */
  readonly nearDuplicateShare?: number;
  /** Share of rows that repeat an earlier row (default 0.02). */
  readonly exactDuplicateShare?: number;
}

export interface GeneratedRow {
  /** The JSONL line. */
  readonly line: string;
  readonly instruction: string;
  readonly response: string;
  /** For planted duplicates, the index of the row they copy or paraphrase. */
  readonly source?: number;
  readonly kind: 'original' | 'near' | 'exact';
}

type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

interface Service {
  /** With a possessive, e.g. "my passport". */
  readonly my: string;
  /** With an article, e.g. "a passport". */
  readonly a: string;
  readonly agency: string;
  readonly documents: readonly string[];
}

const SERVICES: readonly Service[] = [
  { my: "my driver's license", a: "a driver's license", agency: 'Department of Motor Vehicles', documents: ['your current license', 'a recent photo', 'proof of residency'] },
  { my: 'my passport', a: 'a passport', agency: 'passport office', documents: ['a certified birth certificate', 'two passport photos', 'a photo ID'] },
  { my: 'my vehicle registration', a: 'a vehicle registration', agency: 'Department of Motor Vehicles', documents: ['the vehicle title', 'proof of insurance', 'an emissions certificate'] },
  { my: 'my building permit', a: 'a building permit', agency: 'city planning department', documents: ['site plans', 'a contractor license number', 'proof of ownership'] },
  { my: 'my business license', a: 'a business license', agency: 'city clerk', documents: ['your tax identification number', 'a lease or deed', 'a zoning clearance'] },
  { my: 'my unemployment benefits', a: 'unemployment benefits', agency: 'state labor department', documents: ['your last pay stubs', 'your employer details', 'a bank account number'] },
  { my: 'my voter registration', a: 'a voter registration', agency: 'county elections office', documents: ['a photo ID', 'proof of address', 'your social security number'] },
  { my: 'my library card', a: 'a library card', agency: 'public library', documents: ['a photo ID', 'a utility bill', 'a lease agreement'] },
  { my: 'my residential parking permit', a: 'a residential parking permit', agency: 'parking authority', documents: ['your vehicle registration', 'proof of residency', 'a photo ID'] },
  { my: 'my marriage certificate', a: 'a marriage certificate', agency: 'county recorder', documents: ['both photo IDs', 'the marriage license number', 'the fee'] },
  { my: "my child's birth certificate", a: 'a birth certificate', agency: 'vital records office', documents: ['a parent photo ID', 'the hospital record', 'a completed request form'] },
  { my: 'my property tax assessment', a: 'a property tax assessment', agency: 'county assessor', documents: ['the parcel number', 'recent sale prices', 'an independent appraisal'] },
  { my: 'my food assistance benefits', a: 'food assistance benefits', agency: 'human services department', documents: ['proof of income', 'proof of household size', 'a photo ID'] },
  { my: 'my housing voucher', a: 'a housing voucher', agency: 'housing authority', documents: ['income statements', 'a rental agreement', 'identification for each household member'] },
  { my: 'my fishing license', a: 'a fishing license', agency: 'wildlife agency', documents: ['a photo ID', 'proof of residency', 'a completed safety course'] },
  { my: 'my trash collection service', a: 'trash collection service', agency: 'public works department', documents: ['your account number', 'the service address', 'a photo ID'] },
  { my: 'my water utility account', a: 'a water utility account', agency: 'water utility', documents: ['a lease or deed', 'a photo ID', 'a deposit'] },
  { my: 'my health insurance enrollment', a: 'health insurance enrollment', agency: 'health insurance marketplace', documents: ['income estimates', 'social security numbers', 'current coverage details'] },
  { my: 'my state tax refund', a: 'a state tax refund', agency: 'state revenue department', documents: ['your tax return', 'your W-2 forms', 'bank details'] },
  { my: 'my jury duty summons', a: 'a jury duty summons', agency: 'county court', documents: ['the summons', 'your juror number', 'a reason for postponement'] },
  { my: 'my senior transit pass', a: 'a senior transit pass', agency: 'transit agency', documents: ['proof of age', 'a photo', 'a completed application'] },
  { my: 'my disability parking placard', a: 'a disability parking placard', agency: 'Department of Motor Vehicles', documents: ["a doctor's certification", 'a photo ID', 'the application form'] },
  { my: 'my small business grant', a: 'a small business grant', agency: 'economic development office', documents: ['a business plan', 'financial statements', 'proof of registration'] },
  { my: 'my noise complaint', a: 'a noise complaint', agency: 'code enforcement office', documents: ['the address', 'dates and times', 'recordings if you have them'] },
  { my: 'my pet license', a: 'a pet license', agency: 'animal services', documents: ['a rabies vaccination certificate', 'proof of spaying or neutering', 'the fee'] },
  { my: 'my childcare subsidy', a: 'a childcare subsidy', agency: 'family services agency', documents: ['proof of income', "the child's birth certificate", 'proof of work or school'] },
  { my: 'my professional license', a: 'a professional license', agency: 'licensing board', documents: ['proof of education', 'exam results', 'continuing education credits'] },
  { my: 'my sidewalk repair request', a: 'a sidewalk repair request', agency: 'street maintenance division', documents: ['the location', 'photos of the damage', 'your contact details'] },
  { my: 'my veterans benefits', a: 'veterans benefits', agency: 'veterans affairs office', documents: ['your discharge papers', 'medical records', 'a photo ID'] },
  { my: 'my rental assistance', a: 'rental assistance', agency: 'housing authority', documents: ['the lease', 'proof of income', 'a notice from your landlord'] },
];

/** Action phrases; `{my}` and `{a}` take the service's forms. */
const ACTIONS: readonly string[] = [
  'renew {my}', 'apply for {a}', 'replace {my} after it was lost', 'cancel {my}', 'update the address on {my}',
  'check the status of {my}', 'pay the fee for {my}', 'appeal a decision about {my}', 'transfer {my} to a new owner',
  'get a copy of {my}', 'change the name on {my}', 'request an extension for {my}', 'correct an error on {my}',
  'suspend {my} temporarily', 'add a dependent to {my}', 'report fraud involving {my}',
];

const CHANNELS: readonly string[] = [
  'online', 'in person', 'by mail', 'over the phone', 'through the city portal', 'at a service center', 'with the mobile app',
  'at the county office', 'by email', 'at the library kiosk', 'through a caseworker', 'by fax',
];

const PLACES: readonly string[] = [
  'in Springfield', 'in Riverside County', 'in Oregon', 'in the city of Austin', 'in Maple Grove', 'in Lake County', 'in New Jersey',
  'in Fairview', 'in the state of Ohio', 'in Boulder', 'in Kent County', 'in Arizona', 'in the town of Salem', 'in Cedar Falls',
  'in Marion County', 'in Vermont', 'in Greenville', 'in the district of Columbia', 'in Franklin', 'in Orange County',
  'in Tacoma', 'in Duluth', 'in Madison County', 'in Nevada', 'in Bristol', 'in Harbor City', 'in Westfield', 'in Kansas',
  'in Pine Bluff', 'in Clark County', 'in Portland', 'in Montana', 'in Ashland', 'in Jefferson County', 'in Lincoln',
  'in Rhode Island', 'in Brookhaven', 'in El Paso', 'in Wayne County', 'in Savannah',
];

const CIRCUMSTANCES: readonly string[] = [
  'after moving from another state', 'as a senior citizen', 'while living abroad', 'if I am a full-time student',
  'if I have a disability', 'before the end of the month', 'without an appointment', 'if my name changed after marriage',
  'if I lost my job recently', 'for my elderly father', 'on behalf of my teenage daughter', 'if I do not have a bank account',
  'during a government holiday', 'if I only speak Spanish', 'when my documents are expired', 'as a new permanent resident',
  'if I work night shifts', 'after a house fire', 'as a military spouse', 'while recovering from surgery',
  'with a tight budget', 'before my trip next week', 'as a first-time applicant', 'if my landlord refuses to help',
  'when the office is closed', 'after a divorce', 'as a veteran', 'if I was born overseas', 'while on parental leave',
  'for a deceased relative',
];

/** Question templates: `{act}` the action, `{ch}` a channel, `{pl}` a place, `{ci}` a circumstance. */
const TEMPLATES: readonly string[] = [
  'How do I {act} {ch} {pl} {ci}?',
  'What documents do I need to {act} {ch} {ci}?',
  'How long does it usually take to {act} {ch} {pl} {ci}?',
  'Is there a fee to {act} {ch} {pl}, and can I pay it by card?',
  'Where can I go to {act} {pl} {ci}?',
  'Can a family member {act} for me {ch} {ci}?',
  'What is the deadline to {act} {ch} {pl} {ci}?',
  'Who should I contact if I have trouble when I try to {act} {ch} {pl}?',
  'What should I bring with me to {act} {pl} {ci}?',
  'Is it possible to {act} {ch} {pl} {ci}?',
  'I want to {act} {ch} {pl}. What are the steps {ci}?',
  'My neighbor told me I could {act} {ch} {ci}. Is that true {pl}?',
  'Do I need an appointment to {act} {pl} {ci}?',
  'What happens if I forget to {act} {ch} {ci}?',
  'Which office handles requests to {act} {ch} {pl}?',
  'Could you explain how to {act} {ch} {pl} {ci}?',
  'Am I allowed to {act} {ch} {ci}?',
  'Please walk me through the process to {act} {pl} {ci}.',
  'Which forms are required to {act} {ch} {pl}?',
  'Why was my request to {act} {ch} rejected {pl}?',
  'Are there any discounts available when you {act} {ci}?',
  'How soon will I hear back after I {act} {ch} {pl}?',
  'Tell me the easiest way to {act} {pl} {ci}.',
  'Does the county let residents {act} {ch} {ci}?',
  'What are the office hours for people who want to {act} {pl}?',
  'Is an interview part of the process to {act} {ci}?',
  'Can you list the requirements to {act} {ch} {pl}?',
  'Who decides whether I can {act} {pl} {ci}?',
  'How much money should I set aside to {act} {ch} {ci}?',
  'Will I get a receipt when I {act} {ch} {pl}?',
  'What mistakes do applicants make when they {act} {ci}?',
  'Hello, I need help trying to {act} {ch} {pl} {ci}.',
];

/** One-word swaps used to paraphrase a question. */
const SWAPS: ReadonlyMap<string, string> = new Map(Object.entries({
  do: 'can', can: 'could', need: 'require', get: 'obtain', go: 'head', usually: 'typically', possible: 'allowed',
  happens: 'occurs', explain: 'describe', contact: 'call', bring: 'take', steps: 'instructions', help: 'assist',
  fee: 'charge', deadline: 'cutoff', office: 'department', long: 'much', want: 'need', trouble: 'problems', true: 'correct',
}));
const FILLERS: readonly string[] = ['please', 'exactly', 'actually', 'still', 'really', 'quickly', 'also', 'now'];

/** A slot is sometimes left out, which gives the shorter questions real datasets have too. */
function slot(rng: Rng, items: readonly string[]): string {
  return rng() < 0.15 ? '' : pick(rng, items);
}

function fill(template: string, service: Service, rng: Rng): string {
  const act = pick(rng, ACTIONS).replace('{my}', service.my).replace('{a}', service.a);
  return template
    .replace('{act}', act)
    .replace('{ch}', slot(rng, CHANNELS))
    .replace('{pl}', slot(rng, PLACES))
    .replace('{ci}', slot(rng, CIRCUMSTANCES))
    .replace(/ {2,}/g, ' ')
    .replace(/ ([?.,])/g, '$1');
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length;
}

/** A fresh question of 8–25 words. */
function question(rng: Rng): { text: string; service: Service } {
  for (;;) {
    const service = pick(rng, SERVICES);
    const text = fill(pick(rng, TEMPLATES), service, rng);
    const n = wordCount(text);
    if (n >= 8 && n <= 25) return { text, service };
  }
}

/** Splits off trailing punctuation so edits keep "online?" punctuated. */
function splitWord(word: string): [string, string] {
  const m = /^(.*?)([?.,!]*)$/.exec(word);
  return [m?.[1] ?? word, m?.[2] ?? ''];
}

/** The question with one word swapped for a synonym, a filler word added, or a word removed. */
export function paraphrase(text: string, rng: Rng): string {
  const words = text.split(' ');
  const kind = rng();
  if (kind < 0.4) {
    const swappable = words.map((w, i) => [i, splitWord(w)] as const).filter(([, [core]]) => SWAPS.has(core.toLowerCase()));
    if (swappable.length > 0) {
      const [i, [core, tail]] = pick(rng, swappable);
      const swap = SWAPS.get(core.toLowerCase()) ?? core;
      // Keep a capital at the start of the question.
      words[i] = `${core[0] === core[0]?.toUpperCase() ? swap.charAt(0).toUpperCase() + swap.slice(1) : swap}${tail}`;
      return words.join(' ');
    }
  }
  // Keep paraphrases within 8–25 words: add when short, remove when long.
  if ((kind < 0.75 && words.length < 25) || words.length <= 8) {
    const at = 1 + Math.floor(rng() * (words.length - 1));
    words.splice(at, 0, pick(rng, FILLERS));
    return words.join(' ');
  }
  // Remove a word from the middle; keep the first and the last (it carries the question mark).
  const at = 1 + Math.floor(rng() * (words.length - 2));
  words.splice(at, 1);
  return words.join(' ');
}

function answer(service: Service, instruction: string, rng: Rng): string {
  const docs = service.documents;
  const days = 3 + Math.floor(rng() * 40);
  const fee = 5 + Math.floor(rng() * 120);
  const sentences = [
    `You can handle this through the ${service.agency}, which publishes the current requirements on its official website.`,
    `Start by creating an account or signing in, then choose the form that matches your situation and fill in every required field.`,
    `Have ${docs[0] ?? 'a photo ID'}, ${docs[1] ?? 'proof of address'} and ${docs[2] ?? 'the application form'} ready before you begin, because incomplete requests are returned.`,
    `The fee is about $${fee}, payable by card, check or money order; some applicants qualify for a reduced fee.`,
    `Processing usually takes ${days} business days, and you will receive a confirmation number to track the request.`,
    `If anything is unclear, call the ${service.agency} help line or visit a service center during business hours.`,
    `Keep copies of everything you submit, since you may be asked for them later.`,
    /online|portal|app/i.test(instruction)
      ? 'The online service is available around the clock, but uploads must be clear scans in PDF or JPEG format.'
      : 'Appointments can be booked in advance, and walk-in visitors are served as time allows.',
  ];
  // Shuffle lightly, then keep sentences while the answer stays within about 300–600 characters.
  for (let i = sentences.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const a = sentences[i], b = sentences[j];
    if (a !== undefined && b !== undefined) { sentences[i] = b; sentences[j] = a; }
  }
  const target = 300 + Math.floor(rng() * 300);
  let out = '';
  for (const s of sentences) {
    if (out.length >= target) break;
    if (out.length + s.length + 1 > 600) continue;
    out = out === '' ? s : `${out} ${s}`;
  }
  return out;
}

function record(instruction: string, response: string): string {
  return JSON.stringify({ instruction, context: '', response });
}

/** Different case and spacing: still the same question once normalized. */
function restyle(text: string, rng: Rng): string {
  const r = rng();
  if (r < 0.33) return text.toLowerCase();
  if (r < 0.66) return `  ${text.replace(/ /g, '  ')} `;
  return text.replace(/\?$/, ' ?');
}

/** `n` rows for `seed`; see the file comment. */
export function generateRows(n: number, seed: number, options: DatasetOptions = {}): GeneratedRow[] {
  const near = options.nearDuplicateShare ?? 0.05;
  const exact = options.exactDuplicateShare ?? 0.02;
  const rng = random(seed);
  const rows: GeneratedRow[] = [];
  const services: Service[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng();
    const sourceIndex = Math.floor(rng() * i);
    const source = rows[sourceIndex];
    const sourceService = services[sourceIndex];
    if (source !== undefined && sourceService !== undefined && r < exact) {
      const instruction = rng() < 0.5 ? source.instruction : restyle(source.instruction, rng);
      rows.push({ line: record(instruction, source.response), instruction, response: source.response, source: sourceIndex, kind: 'exact' });
      services.push(sourceService);
    } else if (source !== undefined && sourceService !== undefined && r < exact + near) {
      const instruction = paraphrase(source.instruction, rng);
      const response = answer(sourceService, instruction, rng);
      rows.push({ line: record(instruction, response), instruction, response, source: sourceIndex, kind: 'near' });
      services.push(sourceService);
    } else {
      const q = question(rng);
      const response = answer(q.service, q.text, rng);
      rows.push({ line: record(q.text, response), instruction: q.text, response, kind: 'original' });
      services.push(q.service);
    }
  }
  return rows;
}

/** Just the questions of `generateRows(n, seed, options)`, for the prompt-side benchmarks. */
export function generateInstructions(n: number, seed: number, options: DatasetOptions = {}): string[] {
  return generateRows(n, seed, options).map((r) => r.instruction);
}

/**
 * `n` rows of a templated dataset: one long instruction with a single slot (an order number), so
 * every two prompts are near-duplicates (two-word-shingle Jaccard 25 / 29 ≈ 0.86) and the whole
 * file is one cluster, the shape that made near-duplicate detection quadratic. Answers vary a
 * little (days, fee), as a template's filled answers do.
 */
export function generateTemplatedRows(n: number, seed: number): GeneratedRow[] {
  const rng = random(seed);
  const rows: GeneratedRow[] = [];
  for (let i = 0; i < n; i++) {
    // Distinct numbers (7919 is prime to 900,000), so no two prompts are exact duplicates.
    const order = 100_000 + ((i * 7919) % 900_000);
    const instruction = `Summarize the customer's message about order ${order} and tell them when the replacement part will ship, using the warranty policy and the shipping schedule from the knowledge base.`;
    const response = `Order ${order} is covered by the warranty. The replacement part ships within ${2 + Math.floor(rng() * 9)} business days, and the shipping fee of $${5 + Math.floor(rng() * 20)} is waived.`;
    rows.push({ line: record(instruction, response), instruction, response, kind: 'original' });
  }
  return rows;
}

/** The system prompt of the generated chat rows. */
export const CHAT_SYSTEM_PROMPT = 'You help residents with public services.';

const CHAT_EXTRAS: readonly string[] = [
  'Before you start, check that the name on every document matches the name on your application exactly, including middle names and suffixes, because a mismatch is the most common reason a request is sent back.',
  'If you are applying on behalf of someone else, bring a signed letter of authorization and a copy of their photo ID, and be ready to show your own identification at the counter.',
  'Many offices now offer text or email reminders; opting in means you will hear about missing documents within a day or two instead of finding out by mail a week later.',
  'Fee waivers are usually available for people who receive public assistance, for seniors on a fixed income and for veterans, but you must ask for the waiver form when you submit the request.',
  'When you submit by mail, use a trackable service and write your phone number on the first page, so staff can reach you quickly if a page is missing or a signature is unclear.',
  'Busy periods are the first and last weeks of each month and the days after a holiday; mid-week mornings usually have the shortest lines and the quickest phone answers.',
  'If your request is denied, the letter will explain why and how long you have to appeal, which is often thirty days; a written appeal that addresses each reason has the best chance.',
  'Accessible services are available on request, including interpreters, large-print forms and help filling in the application, and asking for them does not delay your request.',
  'Keep the confirmation number somewhere safe: it is the fastest way for staff to find your file, and you will need it to check the status online or over the phone.',
  'Some steps can be combined: for example, you can often update your address and request a replacement at the same visit, which saves a second trip and a second fee.',
];

/**
 * `n` OpenAI chat SFT rows (`{"messages": [system, user, assistant]}`, the format of
 * https://platform.openai.com/docs/guides/supervised-fine-tuning) with answers of 1,080–1,550
 * characters (about 1,300 on average, so 100k rows are 155 MB, the file of issue 15): the
 * questions of `generateRows(n, seed, options)` (so the same planted near and exact
 * duplicates), each answer that row's answer followed by extra sentences picked by the row it
 * copies, so an exact duplicate stays an exact duplicate.
 */
export function generateChatRows(n: number, seed: number, options: DatasetOptions = {}): GeneratedRow[] {
  // The row whose extras a row takes: its own, or for an exact duplicate its original's (through chains).
  const origin: number[] = [];
  return generateRows(n, seed, options).map((row, i) => {
    origin[i] = row.kind === 'exact' && row.source !== undefined ? origin[row.source] ?? row.source : i;
    const rng = random(seed * 1_000_003 + (origin[i] ?? i));
    const target = 1080 + Math.floor(rng() * 250);
    let response = row.response;
    for (let k = 0; response.length < target && k < 40; k++) response += `${k === 0 ? '\n\n' : ' '}${pick(rng, CHAT_EXTRAS)}`;
    const line = JSON.stringify({ messages: [
      { role: 'system', content: CHAT_SYSTEM_PROMPT },
      { role: 'user', content: row.instruction },
      { role: 'assistant', content: response },
    ] });
    return { ...row, line, response };
  });
}
