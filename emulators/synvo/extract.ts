/**
 * Deterministic, rule-based "understanding" of an uploaded file: its text, the profile
 * attributes it states and the events it mentions. The rules are documented in README.md;
 * the seed users are built with the same rules, so seed and uploads behave alike.
 */

import { convert } from 'html-to-text';

/** The profile schema: 8 categories, 34 subtopics (emulators/README.md, "The upstreams' behaviour"). */
export const profileSchema: Readonly<Record<string, readonly string[]>> = {
  basic_info: ['name', 'age', 'gender', 'birth_date', 'nationality', 'ethnicity', 'language_spoken'],
  contact_info: ['email', 'phone', 'city', 'country'],
  education: ['school', 'degree', 'major'],
  demographics: ['marital_status', 'number_of_children', 'household_income'],
  work: ['company', 'title', 'working_industry', 'previous_projects', 'work_skills'],
  interest: ['books', 'movies', 'music', 'foods', 'sports'],
  psychological: ['personality', 'values', 'beliefs', 'motivations', 'goals'],
  life_event: ['marriage', 'relocation', 'retirement'],
};

const categoryOfSubtopic = new Map<string, string>(
  Object.entries(profileSchema).flatMap(([category, subtopics]) => subtopics.map((s) => [s, category] as const)),
);

/** The seed table writes these basic_info subtopics capitalised; the emulator sends them that way. */
const capitalisedSubtopics = new Set(['name', 'age', 'gender']);

/** The key a subtopic is sent under. */
export function wireSubtopic(subtopic: string): string {
  return capitalisedSubtopics.has(subtopic) ? subtopic[0]!.toUpperCase() + subtopic.slice(1) : subtopic;
}

/** `Working industry`, `working-industry`, `WORKING_INDUSTRY` -> `working_industry`. */
export function normaliseKey(key: string): string {
  return key.trim().toLowerCase().replace(/[\s_-]+/g, '_');
}

export type EventType = 'personal' | 'financial' | 'professional' | 'educational' | 'social';

/** Keywords per event type, in tie-break order. Matching is on word starts, case-insensitive. */
export const eventKeywords: ReadonlyArray<readonly [Exclude<EventType, 'personal'>, readonly string[]]> = [
  ['financial', ['financ', 'budget', 'invoice', 'salary', 'payment', 'bank', 'tax', 'profit', 'revenue', 'invest', 'expense', 'price', 'money', 'loan', 'stock']],
  ['professional', ['work', 'job', 'meeting', 'project', 'career', 'interview', 'resume', 'client', 'conference', 'company', 'engineer', 'startup', 'colleague', 'promotion']],
  ['educational', ['lecture', 'course', 'class', 'exam', 'universit', 'school', 'study', 'studie', 'learn', 'tutorial', 'degree', 'homework', 'student', 'thesis']],
  ['social', ['party', 'friend', 'family', 'wedding', 'festival', 'invitation', 'invite', 'community', 'dinner', 'meetup', 'celebrat', 'volunteer']],
];

/** The type whose keywords occur most often in `text`; ties go to the earlier type; none: personal. */
export function classifyEvent(text: string): EventType {
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  let best: EventType = 'personal';
  let bestHits = 0;
  for (const [type, keywords] of eventKeywords) {
    const hits = words.filter((w) => keywords.some((k) => w.startsWith(k))).length;
    if (hits > bestHits) {
      best = type;
      bestHits = hits;
    }
  }
  return best;
}

/** File extensions the upstream accepts, with the MIME type it reports. */
export const supportedTypes: Readonly<Record<string, string>> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
  mp4: 'video/mp4', mov: 'video/quicktime', m4v: 'video/x-m4v', avi: 'video/x-msvideo', mkv: 'video/x-matroska',
  mp3: 'audio/mpeg', wav: 'audio/wav', m4a: 'audio/mp4', aac: 'audio/aac', flac: 'audio/flac',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  txt: 'text/plain', md: 'text/markdown', html: 'text/html', json: 'application/json', jsonl: 'application/jsonl',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The lower-cased extension of a file name, or '' without one. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export interface ExtractedAttribute {
  category: string;
  subtopic: string;
  value: string;
}

export interface ExtractedEvent {
  type: EventType;
  content: string;
  /** Zone-less ISO time, e.g. `2025-10-23T00:00:00`, or null. */
  happenTime: string | null;
}

export type Extraction =
  | { ok: true; text: string; sentences: string[]; attributes: ExtractedAttribute[]; events: ExtractedEvent[] }
  | { ok: false; reason: string };

function flattenJson(value: unknown, key: string, lines: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) flattenJson(item, key, lines);
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenJson(v, k, lines);
  } else {
    const text = String(value).replace(/\s+/g, ' ').trim();
    if (text) lines.push(key ? `${key}: ${text}` : text);
  }
}

/** The readable text of an HTML page: one line per block, no markup, links and images left out. */
export function htmlText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  })
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}

/** The text of a file: UTF-8 for txt and md; the page text for html; `key: value` lines for json and jsonl; '' otherwise. */
export function fileText(name: string, bytes: Uint8Array): { ok: true; text: string } | { ok: false; reason: string } {
  const ext = extensionOf(name);
  if (!['txt', 'md', 'html', 'json', 'jsonl'].includes(ext)) return { ok: true, text: '' };
  const raw = new TextDecoder().decode(bytes);
  if (ext === 'txt' || ext === 'md') return { ok: true, text: raw };
  if (ext === 'html') return { ok: true, text: htmlText(raw) };
  const lines: string[] = [];
  const docs = ext === 'json' ? [raw] : raw.split(/\r?\n/).filter((l) => l.trim() !== '');
  for (const [i, doc] of docs.entries()) {
    try {
      flattenJson(JSON.parse(doc), '', lines);
    } catch {
      return { ok: false, reason: ext === 'json' ? 'Invalid JSON' : `Invalid JSON on line ${i + 1}` };
    }
  }
  return { ok: true, text: lines.join('\n') };
}

const attributeLine = /^\s*(?:[-*+]\s+)?\**([A-Za-z][A-Za-z _.-]{0,60}?)\**\s*:\s*\**\s*(.+?)\s*$/;
/** `category.subtopic` (after normaliseKey): any category and subtopic, known or not. */
const qualifiedKey = /^([a-z][a-z_]*)\.([a-z][a-z_]*)$/;
const isoDate = /\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

function attributeOf(line: string): ExtractedAttribute | undefined {
  const match = attributeLine.exec(line);
  if (!match) return undefined;
  const key = normaliseKey(match[1]!);
  const qualified = qualifiedKey.exec(key);
  const subtopic = qualified ? qualified[2]! : key;
  const category = qualified ? qualified[1]! : categoryOfSubtopic.get(subtopic);
  const value = match[2]!.replace(/\*+$/, '').trim();
  return category && value ? { category, subtopic, value } : undefined;
}

/** `2025-10-23` / `2025-10-23T09:30` in a sentence -> `2025-10-23T00:00:00` / `2025-10-23T09:30:00`. */
function happenTimeOf(sentence: string): string | null {
  const m = isoDate.exec(sentence);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  const time = Date.parse(`${iso}Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 19) !== iso) return null;
  return iso;
}

/** Sentences (or `Key: value` lines) of a text, markdown markers removed, in order. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/^\s*(?:#{1,6}\s+|[-*+]\s+|>\s+|\d+\.\s+)/, '').replace(/\*\*|__/g, '').trim();
    if (!line) continue;
    if (attributeLine.test(line) && !/[.!?]\s+\S/.test(line)) {
      out.push(line);
      continue;
    }
    for (const s of line.split(/(?<=[.!?])\s+(?=[A-Z0-9"'(])/)) {
      const sentence = s.trim();
      if (sentence) out.push(sentence);
    }
  }
  return out;
}

/** Everything the emulator learns from one file when its processing completes. */
export function extract(name: string, bytes: Uint8Array): Extraction {
  const read = fileText(name, bytes);
  if (!read.ok) return read;
  const sentences = splitSentences(read.text);
  const attributes: ExtractedAttribute[] = [];
  const events: ExtractedEvent[] = [{ type: classifyEvent(`${name} ${read.text}`), content: `User uploaded ${name}.`, happenTime: null }];
  for (const sentence of sentences) {
    const attribute = attributeOf(sentence);
    if (attribute) {
      attributes.push(attribute);
      continue;
    }
    const happenTime = happenTimeOf(sentence);
    if (happenTime) events.push({ type: classifyEvent(sentence), content: sentence, happenTime });
  }
  return { ok: true, text: read.text, sentences, attributes, events };
}
