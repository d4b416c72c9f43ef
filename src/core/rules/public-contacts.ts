/**
 * Contacts that belong to an office, not a person: what an answer about a public service should
 * give, and what `pii` leaves alone.
 *
 * - Role mailboxes on any domain: the names RFC 2142 ("Mailbox Names for Common Services, Roles
 *   and Functions", sections 3–5) asks organisations to run, the usual office mailboxes, and the
 *   functions public services name theirs after (phishing@irs.gov, vote@fvap.gov).
 * - Any mailbox on an institution's domain (.gov, .mil, .edu, .int; another country's government,
 *   military or academic second-level domain; US state and local government under .us), unless
 *   its local part is spelt as a person's name ("dana.whitfield", "j_smith"): a named employee's
 *   or student's own address is still personal data.
 * - A phone number the text gives as an office's or agency's: its name (or an office word) in the
 *   same sentence before the number or in the parenthesis after it, and nothing saying it is
 *   someone's own ("my cell", "call me").
 */

/**
 * RFC 2142: INFO, MARKETING, SALES, SUPPORT (section 3), ABUSE, NOC, SECURITY (section 4),
 * POSTMASTER, HOSTMASTER, USENET, NEWS, WEBMASTER, WWW, UUCP, FTP (section 5); then common office
 * mailboxes, and the functions public offices name theirs after.
 */
const ROLE_MAILBOXES: ReadonlySet<string> = new Set([
  // RFC 2142
  'info', 'marketing', 'sales', 'support', 'abuse', 'noc', 'security', 'postmaster', 'hostmaster', 'usenet', 'news',
  'webmaster', 'www', 'uucp', 'ftp',
  // offices
  'help', 'helpdesk', 'contact', 'contactus', 'enquiries', 'inquiries', 'inquiry', 'questions', 'feedback', 'service',
  'services', 'customerservice', 'customer', 'office', 'admin', 'noreply', 'donotreply', 'privacy', 'press', 'media',
  'communications', 'hr', 'jobs', 'careers', 'billing', 'accounts', 'hello', 'team', 'mail', 'general', 'reception',
  'appointments', 'scheduling', 'payments', 'outreach', 'ask',
  // public services
  'phishing', 'spam', 'fraud', 'scam', 'scams', 'report', 'reports', 'foia', 'records', 'vote', 'voting', 'voter', 'voters',
  'elections', 'election', 'ballots', 'clerk', 'registrar', 'recorder', 'assessor', 'treasurer', 'taxes', 'tax', 'revenue',
  'benefits', 'claims', 'passport', 'passports', 'visa', 'visas', 'consular', 'admissions', 'finaid', 'financialaid',
  'studentaid', 'ombudsman', 'complaints', 'appeals', 'permits', 'licensing', 'registration', 'veterans', 'housing',
]);

/** Words that make a dotted local part an office's ("financial.aid", "vital.records", "dmv.customer.service"). */
const OFFICE_WORDS: ReadonlySet<string> = new Set([
  ...ROLE_MAILBOXES,
  'aid', 'financial', 'public', 'affairs', 'center', 'centre', 'dept', 'department', 'division', 'unit', 'program', 'desk',
  'line', 'hotline', 'vital', 'citizen', 'citizens', 'student', 'students', 'court', 'board', 'county', 'city', 'state',
  'dmv', 'license', 'inquiry', 'notices', 'mailbox', 'mbx', 'box', 'hq', 'operations', 'web', 'online', 'portal',
  'refunds', 'collections', 'health', 'medicaid', 'medicare', 'unemployment', 'labor', 'military', 'embassy', 'consulate',
]);

/**
 * A local part made of role words, with or without separators: "reportphishing", "voter.info",
 * "customer-service". Words of two letters or fewer count only on their own, so a short name
 * never splits into them.
 */
export function officeMailbox(local: string): boolean {
  const name = local.toLowerCase().split('+')[0] ?? '';
  if (ROLE_MAILBOXES.has(name)) return true;
  const joined = name.replace(/[._-]/g, '');
  if (joined.length > 40) return false;
  // reach[k]: joined.slice(0, k) is a run of role words (at most three).
  const reach: number[] = [0];
  for (let words = 0; words < 3; words++) {
    const next: number[] = [];
    for (const k of reach) {
      for (let end = k + 3; end <= joined.length; end++) if (ROLE_MAILBOXES.has(joined.slice(k, end))) next.push(end);
    }
    if (next.includes(joined.length)) return true;
    reach.splice(0, reach.length, ...new Set(next));
    if (reach.length === 0) return false;
  }
  return false;
}

/** Second-level labels that mean government, military or academia under a country code. */
const PUBLIC_SECOND_LEVEL: ReadonlySet<string> = new Set(['gov', 'gob', 'gouv', 'govt', 'mil', 'edu', 'ac']);
/** Second-level labels of one country's government only: go.jp, go.kr …, gc.ca, gv.at. */
const PUBLIC_SECOND_LEVEL_OF: Readonly<Record<string, readonly string[]>> = {
  go: ['jp', 'kr', 'th', 'id', 'ke', 'tz', 'ug', 'cr'],
  gc: ['ca'],
  gv: ['at'],
};
/**
 * RFC 1480 ("The US Domain", section 2): state agencies under STATE.<state>.US, city and county
 * government under CI.<city> and CO.<county>, public schools, community colleges, technical schools
 * and libraries under K12, CC, TEC and LIB, federal agencies under FED.US.
 */
const US_PUBLIC_LABELS: ReadonlySet<string> = new Set(['state', 'ci', 'co', 'k12', 'cc', 'tec', 'lib']);

/** Is `domain` (lower case) a government's, a military's, a university's or an international body's? */
export function institutionalDomain(domain: string): boolean {
  const labels = domain.split('.');
  const n = labels.length;
  const tld = labels[n - 1] ?? '';
  if (tld === 'gov' || tld === 'mil' || tld === 'edu' || tld === 'int') return true;
  if (domain === 'europa.eu' || domain.endsWith('.europa.eu')) return true;
  if (tld === 'us') {
    if (labels[n - 2] === 'fed') return true;
    // <agency>.state.<st>.us, k12.<st>.us …, ci.<city>.<st>.us, co.<county>.<st>.us
    return (n >= 3 && US_PUBLIC_LABELS.has(labels[n - 3] ?? '')) || (n >= 4 && (labels[n - 4] === 'ci' || labels[n - 4] === 'co'));
  }
  if (tld.length !== 2) return false;
  const second = labels[n - 2] ?? '';
  if (n >= 3 && (PUBLIC_SECOND_LEVEL.has(second) || PUBLIC_SECOND_LEVEL_OF[second]?.includes(tld) === true)) return true;
  // A province's or state's government: gov.bc.ca, gouv.qc.ca, gov.on.ca.
  return n >= 3 && second.length <= 3 && PUBLIC_SECOND_LEVEL.has(labels[n - 3] ?? '');
}

/** "dana.whitfield", "John.Q.Smith", "j_smith", "mary-ann.o_neil": two or three name parts, none an office word. */
export function personLocalPart(local: string): boolean {
  const name = local.split('+')[0] ?? '';
  const parts = name.split(/[._]/);
  if (parts.length < 2 || parts.length > 3) return false;
  for (const [i, part] of parts.entries()) {
    if (!/^[A-Za-z][A-Za-z'-]{0,24}$/.test(part) || part.endsWith('-')) return false;
    if (i === parts.length - 1 && part.length < 2) return false;
    if (OFFICE_WORDS.has(part.toLowerCase().replace(/-/g, ''))) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

/** Words that say a number is someone's own: "my cell", "call me", "her direct line", "I'm". */
const PERSONAL_CUE = new RegExp([
  String.raw`\bmy\s+(?:(?:new|own|personal|home|work|office|direct|cell|mobile|best|main|only)\s+){0,2}(?:number|phone|cell|mobile|line)\b`,
  String.raw`\b(?:call|text|reach|contact|phone|ring)\s+me\b`, String.raw`\bme\s+(?:at|on|back)\b`,
  String.raw`\b(?:her|his)\s+(?:own\s+)?(?:number|phone|cell|mobile|personal|home|direct)\b`,
  String.raw`\btheir\s+(?:own\s+)?(?:cell|mobile|personal|home|direct)\b`,
  String.raw`\b(?:personal|home|cell|mobile)\s+(?:phone|number|line)\b`, String.raw`\b(?:cell|mobile)\s*:`, String.raw`\bdirect\s+line\b`,
  String.raw`\bI(?:['\u2019]m|\s+am)\b`,
].join('|'), 'i');

/** Words that name an office, an agency or a public body. */
const OFFICE_CUE = new RegExp(String.raw`\b(?:${[
  'offices?', 'department', 'dept', 'administration', 'agency', 'bureau', 'services?', 'cent(?:er|re)', 'hotline', 'helpline',
  'help\\s*line', 'help\\s*desk', 'desk', 'line', 'court', 'clerk', 'embassy', 'consulate', 'commission', 'board', 'authority',
  'council', 'county', 'city', 'state', 'registrar', 'recorder', 'assessor', 'treasurer', 'library', 'hospital', 'clinic',
  'school', 'district', 'university', 'college', 'ministry', 'government', 'program(?:me)?', 'division', 'unit', 'secretary',
  'elections?', 'headquarters', 'branch', 'police', 'sheriff', 'institute', 'commissioner', 'ombudsman', 'advocate',
  'registry', 'revenue', 'treasury', 'taxation', 'medicare', 'medicaid', 'social\\s+security', 'adviceline', 'switchboard',
].join('|')})\b`, 'i');

/** An agency's initials: IRS, SSA, DMV, USCIS, FVAP, HMRC (and "the DMV's"); not a form's letters ("DS-82", "W-2"). */
const ACRONYM = /\b[A-Z]{2,6}\b(?!-\d)/g;
/** Capitals that name no agency. */
const NOT_AGENCIES: ReadonlySet<string> = new Set(['ID', 'SSN', 'PIN', 'OK', 'AM', 'PM', 'ET', 'CT', 'MT', 'PT', 'EST', 'PST', 'CST', 'TTY', 'TDD', 'US', 'USA', 'UK', 'ASAP', 'FAQ', 'PDF', 'SMS', 'URL']);

/** Abbreviations whose full stop ends no sentence. */
const ABBREVIATIONS: ReadonlySet<string> = new Set(['st', 'ave', 'rd', 'blvd', 'dr', 'mr', 'mrs', 'ms', 'no', 'dept', 'inc', 'co', 'jr', 'sr', 'vs', 'etc', 'approx', 'ste', 'apt', 'ft', 'mt']);

/** How far before a number its introduction is looked for. */
const LOOK_BEFORE = 120;

/** The text of the sentence before `from`, at most LOOK_BEFORE characters (single line breaks, as in a contact block, do not end it). */
function sentenceBefore(text: string, from: number): string {
  const start = Math.max(0, from - LOOK_BEFORE);
  for (let i = from - 1; i > start; i--) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    const spaceAfter = next === 0x20 || next === 0x0a || next === 0x09;
    if (c === 0x0a) {
      // A blank line ends the paragraph; a single line break (a contact block's next line) does not.
      let j = i - 1;
      while (j > start && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x09 || text.charCodeAt(j) === 0x0d)) j--;
      if (text.charCodeAt(j) === 0x0a) return text.slice(i + 1, from);
      continue;
    }
    if ((c === 0x2e || c === 0x21 || c === 0x3f) && spaceAfter) {
      if (c === 0x2e) {
        let w = i;
        while (w > start && /[A-Za-z]/.test(text.charAt(w - 1))) w--;
        const word = text.slice(w, i);
        // "U.S.", "St.", "Dr." and initials end no sentence.
        if (ABBREVIATIONS.has(word.toLowerCase()) || word.length === 1) continue;
      }
      return text.slice(i + 1, from);
    }
  }
  return text.slice(start, from);
}

/**
 * What follows the number and still says whose it is: a parenthesis ("(Overseas Citizens
 * Services)"), an apposition (", the IRS's international line") or a purpose ("for the passport
 * emergency line"). Anything else after a number is about something else ("… if you need a ride
 * to the office").
 */
function phraseAfter(text: string, to: number): string {
  let i = to;
  while (i < text.length && text.charCodeAt(i) === 0x20) i++;
  if (text.charCodeAt(i) === 0x28 /* ( */) {
    const close = text.indexOf(')', i);
    return close !== -1 && close - i < 100 ? text.slice(i + 1, close) : '';
  }
  const m = /^(?:[,\u2013\u2014-]\s*the\s|for\s+the\s)[^,.;:!?\n()]{0,60}/i.exec(text.slice(i, i + 80));
  return m?.[0] ?? '';
}

function namesAgency(text: string): boolean {
  if (OFFICE_CUE.test(text)) return true;
  for (const m of text.matchAll(ACRONYM)) if (!NOT_AGENCIES.has(m[0])) return true;
  return false;
}

/** How agencies mark a number that costs the caller: "267-941-1000 (not toll-free)". No one writes it beside their own. */
const NOT_TOLL_FREE = /\bnot\s+(?:a\s+)?toll[\s-]free\b/i;

/**
 * A short clause that names no one ("The number is", "From outside the country, dial", "Try"):
 * whose number it is was said in the sentence before. A capitalised word after the first is
 * taken for a name ("Text Kwame at"), and then the clause is about that person.
 */
function namesNoOne(clause: string): boolean {
  const words = clause.trim().split(/\s+/);
  if (words.length > 8) return false;
  for (let i = 1; i < words.length; i++) if (/^[A-Z][a-z]/.test(words[i] ?? '')) return false;
  return true;
}

/** Is the number at `[from, to)` given as an office's or agency's number, not someone's own? */
export function officeNumber(text: string, from: number, to: number): boolean {
  const before = sentenceBefore(text, from);
  const after = phraseAfter(text, to);
  // What is said closest to the number decides whose it is: "my cell" outranks an agency named earlier.
  if (PERSONAL_CUE.test(before.slice(-60)) || PERSONAL_CUE.test(after)) return false;
  if (NOT_TOLL_FREE.test(after) || namesAgency(before) || namesAgency(after)) return true;
  if (!namesNoOne(before)) return false;
  // "Call the IRS at 800-829-1040. From abroad, dial 267-941-1000."
  const previous = sentenceBefore(text, Math.max(0, from - before.length - 1));
  return !PERSONAL_CUE.test(previous) && namesAgency(previous);
}
