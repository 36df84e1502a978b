import MiniSearch from 'minisearch';
import type { StoredFile } from './store.js';

/** Words too common to make a sentence or a file relevant. */
const stopWords = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by
  can could did do does doing down during each few for from further had has have having he her here hers herself him
  himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other
  our ours ourselves out over own same she should so some such than that the their theirs them themselves then there
  these they this those through to too under until up very was we were what when where which while who whom why will
  with would you your yours yourself yourselves tell know please give show find explain describe summarise summarize
  anything something thing things user users file files document documents many much also like get got
  one use used make way well may might must shall yes every another ever even still really say said`.split(/\s+/).filter(Boolean),
);

function processTerm(term: string): string | null {
  const t = term.toLowerCase();
  return t.length < 2 || stopWords.has(t) ? null : t;
}

const searchOptions = { prefix: (term: string) => term.length > 3, processTerm } as const;

interface SentenceDoc {
  id: number;
  fileSeq: number;
  index: number;
  text: string;
}

interface FileDoc {
  id: string;
  name: string;
  path: string;
  text: string;
}

interface Indexes {
  version: number;
  sentences: MiniSearch<SentenceDoc>;
  sentenceDocs: SentenceDoc[];
  files: MiniSearch<FileDoc>;
}

/** How many top-ranked passages make an answer. */
const answerPassages = 3;

/**
 * Per-user minisearch indexes over the user's COMPLETED files, rebuilt when the user's file
 * version changes. Rankings are deterministic: ties go to the earlier upload, then the earlier sentence.
 */
export class SynvoRanker {
  #cache = new Map<string, Indexes>();

  clear(): void {
    this.#cache.clear();
  }

  #indexes(user: string, version: number, files: StoredFile[]): Indexes {
    const cached = this.#cache.get(user);
    if (cached && cached.version === version) return cached;
    const sentences = new MiniSearch<SentenceDoc>({ fields: ['text'], processTerm, searchOptions });
    const sentenceDocs: SentenceDoc[] = [];
    for (const file of files) {
      for (const [index, text] of file.sentences.entries()) sentenceDocs.push({ id: sentenceDocs.length, fileSeq: file.seq, index, text });
    }
    sentences.addAll(sentenceDocs);
    const fileIndex = new MiniSearch<FileDoc>({
      fields: ['name', 'path', 'text'],
      // Names and paths are split on punctuation too, so `q4-financial.pdf` matches `financial`.
      tokenize: (text) => text.split(/[^\p{L}\p{N}]+/u).filter(Boolean),
      processTerm,
      searchOptions: { ...searchOptions, boost: { name: 3, path: 2 } },
    });
    fileIndex.addAll(files.map((f) => ({ id: f.id, name: f.name, path: f.path, text: f.text })));
    const built = { version, sentences, sentenceDocs, files: fileIndex };
    this.#cache.set(user, built);
    return built;
  }

  /** The user's files ranked by relevance to `message`, best first; irrelevant files are left out. */
  search(user: string, version: number, files: StoredFile[], message: string): StoredFile[] {
    const { files: index } = this.#indexes(user, version, files);
    const byId = new Map(files.map((f) => [f.id, f]));
    return index
      .search(message)
      .map((hit) => ({ score: hit.score, file: byId.get(String(hit.id))! }))
      .sort((a, b) => b.score - a.score || a.file.seq - b.file.seq)
      .map((r) => r.file);
  }

  /**
   * The answer: the best passages of the user's files for the question, best first, joined by a
   * space ('' when nothing is relevant), and the files they came from, in order of first use.
   * `onlyFiles` restricts it to some files.
   */
  answer(user: string, version: number, files: StoredFile[], question: string, onlyFiles?: Set<string>): { text: string; sources: StoredFile[] } {
    const { sentences, sentenceDocs } = this.#indexes(user, version, files);
    const allowed = onlyFiles ? new Set(files.filter((f) => onlyFiles.has(f.id)).map((f) => f.seq)) : undefined;
    const seen = new Set<string>();
    const passages = sentences
      .search(question)
      .map((hit) => ({ score: hit.score, doc: sentenceDocs[Number(hit.id)]! }))
      .filter((r) => !allowed || allowed.has(r.doc.fileSeq))
      .sort((a, b) => b.score - a.score || a.doc.fileSeq - b.doc.fileSeq || a.doc.index - b.doc.index)
      .filter((r) => !seen.has(r.doc.text) && seen.add(r.doc.text))
      .slice(0, answerPassages);
    const bySeq = new Map(files.map((f) => [f.seq, f]));
    const sources = [...new Set(passages.map((r) => r.doc.fileSeq))].map((seq) => bySeq.get(seq)!);
    const text = passages
      .map((r) => r.doc.text)
      // A heading or `Key: value` line reads as a sentence of its own.
      .map((t) => (/[.!?]["')\]]?$/.test(t) ? t : `${t}.`))
      .join(' ');
    return { text, sources };
  }
}
