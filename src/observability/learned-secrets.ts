/**
 * Secrets the gateway learns while it runs: every per-user MemSync API key it reads from the
 * keyring or is given to connect. The log scrubber replaces them like the configured secrets.
 * Thousands of users means thousands of keys, too many for one alternation regex per line: keys
 * are indexed by their first characters, so a line costs one lookup per position whatever their number.
 */
import { LRUCache } from 'lru-cache';

/** Keys shorter than this are not learned: they would match ordinary words (MemSync's are much longer). */
export const MIN_LEARNED_SECRET_LENGTH = 8;

export interface LearnedSecretsOptions {
  /** Most secrets kept (the least recently learned go first). @default 100000 */
  max?: number;
}

export class LearnedSecrets {
  /** Secrets by their first MIN_LEARNED_SECRET_LENGTH characters. */
  readonly #byPrefix = new Map<string, Set<string>>();
  readonly #known: LRUCache<string, true>;

  constructor(options: LearnedSecretsOptions = {}) {
    this.#known = new LRUCache<string, true>({
      max: options.max ?? 100_000,
      dispose: (_value, secret) => {
        const prefix = secret.slice(0, MIN_LEARNED_SECRET_LENGTH);
        const set = this.#byPrefix.get(prefix);
        set?.delete(secret);
        if (set?.size === 0) this.#byPrefix.delete(prefix);
      },
    });
  }

  get size(): number {
    return this.#known.size;
  }

  /** Remembers a secret (a no-op for one already known or too short to be told from words). */
  learn(secret: string | null | undefined): void {
    if (typeof secret !== 'string' || secret.length < MIN_LEARNED_SECRET_LENGTH || this.#known.has(secret)) return;
    this.#known.set(secret, true);
    const prefix = secret.slice(0, MIN_LEARNED_SECRET_LENGTH);
    const set = this.#byPrefix.get(prefix) ?? new Set<string>();
    this.#byPrefix.set(prefix, set.add(secret));
  }

  /** `text` with every learned secret in it replaced by `replacement`. */
  scrub(text: string, replacement: string): string {
    if (this.#byPrefix.size === 0 || text.length < MIN_LEARNED_SECRET_LENGTH) return text;
    let out = '';
    let copied = 0;
    for (let i = 0; i + MIN_LEARNED_SECRET_LENGTH <= text.length; ) {
      const candidates = this.#byPrefix.get(text.slice(i, i + MIN_LEARNED_SECRET_LENGTH));
      let match = '';
      // The longest, so a secret that contains another is replaced whole.
      if (candidates) for (const secret of candidates) if (secret.length > match.length && text.startsWith(secret, i)) match = secret;
      if (!match) {
        i += 1;
        continue;
      }
      out += text.slice(copied, i) + replacement;
      i += match.length;
      copied = i;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }
}
