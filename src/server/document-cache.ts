/**
 * yoga's parsed-document and parse-error caches, bounded by bytes as well as by count. yoga's
 * default LRU holds 1,000 documents whatever their size, and a parsed document weighs up to about
 * 75 bytes of heap per character of its text (a 10 KB document of short fields: ~0.7 MB), so a
 * count alone lets a caller make the gateway hold most of a gigabyte. Each entry is weighed by its
 * text, at that worst-case ratio, so the real heap held stays under `maxBytes`. Documents over the
 * query length limit never get here: `useLimits` refuses them before the parser runs.
 */
import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

export interface DocumentCacheOptions {
  /** Most parsed documents kept. @default 1000 */
  maxDocuments?: number;
  /** Most heap the parsed documents may hold, estimated from their text, in bytes. @default 33554432 (32 MiB) */
  maxBytes?: number;
}

/** Heap bytes of a parsed document per character of its text, at worst (many short tokens). */
export const PARSED_BYTES_PER_CHAR = 80;
/** Heap bytes of a cached parse error per character of its text (the error keeps the source). */
const ERROR_BYTES_PER_CHAR = 4;

export interface DocumentCaches {
  /** For yoga's `parserAndValidationCache.documentCache`. */
  documentCache: LRUCache<string, DocumentNode>;
  /** For yoga's `parserAndValidationCache.errorCache`. */
  errorCache: LRUCache<string, Error>;
  /** Entries and estimated bytes held right now. */
  stats(): { documents: number; documentBytes: number; errors: number; errorBytes: number };
}

export function createDocumentCaches(options: DocumentCacheOptions = {}): DocumentCaches {
  const max = options.maxDocuments ?? 1000;
  const maxSize = options.maxBytes ?? 32 * 1024 * 1024;
  const documentCache = new LRUCache<string, DocumentNode>({
    max,
    maxSize,
    // A document heavier than the whole budget is not kept (lru-cache skips it).
    sizeCalculation: (_document, text) => Math.max(1, text.length * PARSED_BYTES_PER_CHAR),
  });
  const errorCache = new LRUCache<string, Error>({
    max,
    maxSize: Math.max(1, Math.floor(maxSize / 8)),
    sizeCalculation: (_error, text) => Math.max(1, text.length * ERROR_BYTES_PER_CHAR),
  });
  return {
    documentCache,
    errorCache,
    stats: () => ({
      documents: documentCache.size,
      documentBytes: documentCache.calculatedSize,
      errors: errorCache.size,
      errorBytes: errorCache.calculatedSize,
    }),
  };
}
