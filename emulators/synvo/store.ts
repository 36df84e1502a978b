import { randomBytes } from 'node:crypto';
import { extensionOf, extract, supportedTypes, type EventType } from './extract.js';

export type FileStatus = 'PENDING' | 'COMPLETED' | 'FAILED';

export interface StoredFile {
  id: string;
  name: string;
  /** Directory, normalised: `/` or `/a/b`. */
  dir: string;
  /** Full path: dir + name. */
  path: string;
  size: number;
  mimeType: string;
  status: FileStatus;
  /** Epoch ms of the upload. */
  createdAt: number;
  /** Upload order, for deterministic ties. */
  seq: number;
  bytes: Uint8Array;
  /** Extracted text ('' until COMPLETED, and for types without text). */
  text: string;
  sentences: string[];
}

export interface StoredEvent {
  type: EventType | string;
  content: string;
  /** Zone-less ISO time or null. */
  happenTime: string | null;
  /** Zone-less ISO time with microseconds. */
  mentionTime: string;
  seq: number;
}

export interface UserData {
  files: Map<string, StoredFile>;
  /** category -> subtopic (lower-case) -> values, in discovery order. */
  profile: Map<string, Map<string, string[]>>;
  events: StoredEvent[];
  /** Folders made with create_dir or left by a move (folders holding files exist anyway). */
  dirs: Set<string>;
  /** Increments on every change to the user's files. */
  version: number;
}

/** The outcome of a move: the pairs moved, or why nothing was. */
export type MoveResult =
  | { ok: true; moves: Array<[string, string]> }
  | { ok: false; status: 400 | 404 | 409; error: string; detail: string };

/** `2025-11-16T15:29:18.344000`: the upstream's zone-less event time. */
export function zonelessTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000`;
}

/** Reads an ISO 8601 time; a time without zone is UTC. NaN when invalid. */
export function parseIsoTime(value: string): number {
  // An unencoded `+08:00` in a query string arrives as ` 08:00`.
  value = value.trim().replace(/(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, '$1+$2');
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  if (!m) return Number.NaN;
  const [, date, time, zone] = m;
  // Date.parse rolls impossible dates such as 2025-02-30 over into the next month; reject them.
  const midnight = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== date) return Number.NaN;
  if (!time) return midnight;
  const fraction = /\.(\d+)$/.exec(time);
  const base = fraction ? time.slice(0, time.length - fraction[0].length) : time;
  const ms = fraction ? `.${fraction[1]!.slice(0, 3).padEnd(3, '0')}` : '';
  const full = base.length === 5 ? `${base}:00` : base;
  const z = !zone || zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return Date.parse(`${date}T${full}${ms}${z}`);
}

/** `/a//b/` -> `/a/b`; `` -> `/`. Undefined for a path with `..` or control characters. */
export function normaliseDir(path: string): string | undefined {
  if (/[\0-\x1f]/.test(path)) return undefined;
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return undefined;
  return `/${parts.join('/')}`;
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export interface SeedFile {
  id: string;
  name: string;
  dir: string;
  text: string;
  /** Binary content (seed images); `text` is ignored when set. */
  bytes?: Uint8Array;
  /** Whether processing adds profile facts and events. @default the user's extractFacts */
  facts?: boolean;
  /** Epoch ms of the upload and of its processing. */
  createdAt: number;
}

export interface SeedUser {
  name: string;
  files: SeedFile[];
  /** Run the extraction rules over the seed files into the profile and events. */
  extractFacts: boolean;
  profile?: Array<{ category: string; subtopic: string; value: string }>;
  events?: Array<Omit<StoredEvent, 'seq'>>;
}

export interface StoreOptions {
  processingDelayMs: number;
  now: () => number;
  seed: () => SeedUser[];
}

/** All sub-users of the emulator's single account, and the asynchronous file processing. */
export class SynvoStore {
  #users = new Map<string, UserData>();
  /** Answers by `cuid`, for `parent_cuid`: whose they are and the question text they answered, with its context. */
  #answers = new Map<string, { user: string; context: string }>();
  #timers = new Set<NodeJS.Timeout>();
  #seq = 0;
  readonly #options: StoreOptions;

  constructor(options: StoreOptions) {
    this.#options = options;
    this.reset();
  }

  /** Back to the seed data; pending processing is dropped. */
  reset(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#users = new Map();
    this.#answers = new Map();
    this.#seq = 0;
    for (const seed of this.#options.seed()) {
      const user = this.#userFor(seed.name);
      for (const p of seed.profile ?? []) this.#addAttribute(user, p.category, p.subtopic, p.value);
      for (const e of seed.events ?? []) user.events.push({ ...e, seq: ++this.#seq });
      for (const f of seed.files) {
        const bytes = f.bytes ?? new TextEncoder().encode(f.text);
        const file = this.#addFile(user, { id: f.id, name: f.name, dir: f.dir, bytes, createdAt: f.createdAt });
        this.#process(user, file, f.createdAt, f.facts ?? seed.extractFacts);
      }
    }
  }

  /** Clears pending timers (server stop). */
  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  /** The user's data, or undefined for a sub-user that has none. */
  get(name: string): UserData | undefined {
    return this.#users.get(name);
  }

  /** True when `dir` is a folder of the user: `/` once the user has any file or folder. */
  dirExists(name: string, dir: string): boolean {
    const user = this.#users.get(name);
    if (!user || (user.files.size === 0 && user.dirs.size === 0)) return false;
    if (dir === '/') return true;
    const below = (d: string) => d === dir || d.startsWith(`${dir}/`);
    return [...user.dirs].some(below) || [...user.files.values()].some((f) => below(f.dir));
  }

  /** Every folder of the user (made ones and the parents of files and folders), without `/`. */
  dirs(name: string): string[] {
    const user = this.#users.get(name);
    if (!user) return [];
    const out = new Set<string>();
    const addWithParents = (dir: string) => {
      const parts = dir.split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) out.add(`/${parts.slice(0, i).join('/')}`);
    };
    for (const d of user.dirs) addWithParents(d);
    for (const f of user.files.values()) addWithParents(f.dir);
    return [...out];
  }

  /** The user's file at a full path. */
  fileAt(name: string, path: string): StoredFile | undefined {
    return [...(this.#users.get(name)?.files.values() ?? [])].find((f) => f.path === path);
  }

  /** Makes a folder (and its parents); false when a file holds that path. */
  createDir(userName: string, dir: string): boolean {
    if (this.fileAt(userName, dir)) return false;
    const user = this.#userFor(userName);
    if (dir !== '/' && !user.dirs.has(dir)) {
      user.dirs.add(dir);
      user.version += 1;
    } else if (dir === '/' && user.files.size === 0 && user.dirs.size === 0) {
      // The root of a user with nothing yet: it exists from now on (an empty listing, not a 404).
      user.dirs.add('/');
      user.version += 1;
    }
    return true;
  }

  /**
   * Moves (or renames) a file or a folder to the full path `dest`. A folder takes everything in
   * it along. The destination must not exist; its parent folders are made as needed.
   */
  move(userName: string, src: string, dest: string): MoveResult {
    const user = this.#users.get(userName);
    if (src === '/' || dest === '/') return { ok: false, status: 400, error: 'Invalid parameter', detail: 'The root folder cannot be moved or replaced' };
    const file = this.fileAt(userName, src);
    const isDir = !file && this.dirExists(userName, src);
    if (!user || (!file && !isDir)) return { ok: false, status: 404, error: 'Source not found', detail: `Nothing at '${src}'` };
    if (this.fileAt(userName, dest) || this.dirExists(userName, dest)) {
      return { ok: false, status: 409, error: 'Destination exists', detail: `'${dest}' already exists` };
    }
    const slash = dest.lastIndexOf('/');
    const destDir = slash === 0 ? '/' : dest.slice(0, slash);
    if (file) {
      const from = file.path;
      file.dir = destDir;
      file.name = dest.slice(slash + 1);
      file.path = dest;
      user.version += 1;
      return { ok: true, moves: [[from, dest]] };
    }
    if (dest.startsWith(`${src}/`)) return { ok: false, status: 400, error: 'Invalid parameter', detail: 'A folder cannot be moved into itself' };
    const rebase = (path: string) => (path === src ? dest : `${dest}${path.slice(src.length)}`);
    const inside = (path: string) => path === src || path.startsWith(`${src}/`);
    const moves: Array<[string, string]> = [[src, dest]];
    for (const f of [...user.files.values()].sort((a, b) => a.seq - b.seq)) {
      if (!inside(f.dir)) continue;
      const from = f.path;
      f.dir = rebase(f.dir);
      f.path = joinPath(f.dir, f.name);
      moves.push([from, f.path]);
    }
    const kept = [...user.dirs].filter((d) => !inside(d));
    const moved = [...user.dirs].filter(inside).map(rebase);
    user.dirs = new Set([...kept, ...moved, dest]);
    user.version += 1;
    return { ok: true, moves };
  }

  /** Remembers an answer so a later question can follow it (`parent_cuid`); the oldest are forgotten past 10,000. */
  rememberAnswer(cuid: string, user: string, context: string): void {
    this.#answers.set(cuid, { user, context });
    if (this.#answers.size > 10_000) this.#answers.delete(this.#answers.keys().next().value!);
  }

  /** The question context of an earlier answer of this user, or undefined (unknown, or another sub-user's). */
  answerContext(user: string, cuid: string): string | undefined {
    const answer = this.#answers.get(cuid);
    return answer?.user === user ? answer.context : undefined;
  }

  /** A sub-user has data once it has a file, a profile attribute or an event. */
  hasData(name: string): boolean {
    const user = this.#users.get(name);
    return !!user && (user.files.size > 0 || user.profile.size > 0 || user.events.length > 0);
  }

  /** Files of a user in upload order. */
  files(name: string): StoredFile[] {
    return [...(this.#users.get(name)?.files.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  completedFiles(name: string): StoredFile[] {
    return this.files(name).filter((f) => f.status === 'COMPLETED');
  }

  version(name: string): number {
    return this.#users.get(name)?.version ?? 0;
  }

  /** Stores an upload (renaming on a clash) and schedules its processing. */
  upload(userName: string, name: string, dir: string, bytes: Uint8Array, mimeType?: string): { file: StoredFile; renamed: boolean } {
    const user = this.#userFor(userName);
    const taken = new Set([...user.files.values()].filter((f) => f.dir === dir).map((f) => f.name));
    let finalName = name;
    if (taken.has(name)) {
      const ext = extensionOf(name);
      const stem = ext ? name.slice(0, name.length - ext.length - 1) : name;
      for (let i = 1; taken.has(finalName); i++) finalName = ext ? `${stem} (${i}).${name.slice(-ext.length)}` : `${stem} (${i})`;
    }
    const file = this.#addFile(user, { id: `f_${randomBytes(8).toString('hex')}`, name: finalName, dir, bytes, createdAt: this.#options.now(), mimeType });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      // The file may have been deleted, or the store reset, in the meantime.
      if (this.#users.get(userName) === user && user.files.get(file.id) === file) this.#process(user, file, this.#options.now(), true);
    }, this.#options.processingDelayMs);
    this.#timers.add(timer);
    return { file, renamed: finalName !== name };
  }

  /** Removes a file of this user; false if it is not theirs or unknown. */
  delete(userName: string, id: string): boolean {
    const user = this.#users.get(userName);
    if (!user?.files.delete(id)) return false;
    user.version += 1;
    return true;
  }

  #userFor(name: string): UserData {
    let user = this.#users.get(name);
    if (!user) {
      user = { files: new Map(), profile: new Map(), events: [], dirs: new Set(), version: 0 };
      this.#users.set(name, user);
    }
    return user;
  }

  #addFile(user: UserData, f: { id: string; name: string; dir: string; bytes: Uint8Array; createdAt: number; mimeType?: string | undefined }): StoredFile {
    const file: StoredFile = {
      id: f.id, name: f.name, dir: f.dir, path: joinPath(f.dir, f.name), size: f.bytes.byteLength,
      mimeType: f.mimeType ?? supportedTypes[extensionOf(f.name)] ?? 'application/octet-stream', status: 'PENDING',
      createdAt: f.createdAt, seq: ++this.#seq, bytes: f.bytes, text: '', sentences: [],
    };
    user.files.set(file.id, file);
    user.version += 1;
    return file;
  }

  #addAttribute(user: UserData, category: string, subtopic: string, value: string): void {
    let topics = user.profile.get(category);
    if (!topics) user.profile.set(category, (topics = new Map()));
    const values = topics.get(subtopic) ?? [];
    if (!values.some((v) => v.toLowerCase() === value.toLowerCase())) values.push(value);
    topics.set(subtopic, values);
  }

  #process(user: UserData, file: StoredFile, at: number, extractFacts: boolean): void {
    const result = extract(file.name, file.bytes);
    user.version += 1;
    if (!result.ok) {
      file.status = 'FAILED';
      return;
    }
    file.status = 'COMPLETED';
    file.text = result.text;
    file.sentences = result.sentences;
    if (!extractFacts) return;
    for (const a of result.attributes) this.#addAttribute(user, a.category, a.subtopic, a.value);
    const mentionTime = zonelessTime(at);
    for (const e of result.events) user.events.push({ ...e, mentionTime, seq: ++this.#seq });
  }
}
