/**
 * Persisted documents: the manifest the codegen client preset emits (`persistedDocuments: true`,
 * a JSON object of sha256 hash -> document) names the operations this gateway knows. A client
 * sends the hash as `documentId` (GraphQL over HTTP) or as `extensions.persistedQuery.sha256Hash`
 * (the APQ shape). In persisted-only mode nothing else runs: a query text is refused with
 * `PERSISTED_QUERY_ONLY`, an unknown hash with `PERSISTED_QUERY_NOT_FOUND` (both HTTP 400).
 */
import { readFileSync } from 'node:fs';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';

/** Hash (hex sha256, without prefix) -> document text. */
export type PersistedDocuments = ReadonlyMap<string, string>;

export interface PersistedDocumentsOptions {
  /** The known documents. */
  documents: PersistedDocuments;
  /** Refuse every operation that is not a known document. @default true */
  persistedOnly?: boolean;
}

/**
 * Reads a manifest (`{ "<sha256>": "<document>" }`, as written by the client preset).
 * @throws Error naming the file when it is missing or not such an object.
 */
export function loadPersistedDocuments(path: string): PersistedDocuments {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the persisted documents manifest ${path}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`The persisted documents manifest ${path} must be a JSON object of hash -> document`);
  }
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    if (typeof document !== 'string') {
      throw new Error(`The persisted documents manifest ${path}: entry ${hash} is not a document string`);
    }
    documents.set(normaliseId(hash), document);
  }
  return documents;
}

/** `sha256:abc` and `abc` name the same document. */
function normaliseId(id: string): string {
  return id.replace(/^sha256:/i, '').toLowerCase();
}

const persistedError = (code: string, message: string) => ({
  message,
  extensions: { code, http: { status: 400, spec: false } },
});

function extractId(params: GraphQLParams): string | null {
  const persistedQuery = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  const id = persistedQuery?.sha256Hash;
  return typeof id === 'string' ? normaliseId(id) : null;
}

export function usePersistedDocuments(options: PersistedDocumentsOptions): Plugin {
  const { documents } = options;
  const persistedOnly = options.persistedOnly ?? true;
  const inner = usePersistedOperations({
    getPersistedOperation: (id) => documents.get(id) ?? null,
    extractPersistedOperationId: (params) => extractId(params),
    allowArbitraryOperations: !persistedOnly,
    customErrors: {
      notFound: persistedError('PERSISTED_QUERY_NOT_FOUND', 'Unknown persisted document: this gateway runs only known documents'),
      persistedQueryOnly: persistedError('PERSISTED_QUERY_ONLY', 'This gateway runs only persisted documents: send a documentId, not a query'),
      keyNotFound: persistedError('PERSISTED_QUERY_ID_REQUIRED', 'Send a documentId or extensions.persistedQuery.sha256Hash'),
    },
  });

  // `documentId` (GraphQL over HTTP) becomes the APQ extension, the one shape the inner plugin reads;
  // yoga would otherwise refuse it as an unexpected parameter.
  const liftDocumentId = (params: GraphQLParams & { documentId?: unknown }): GraphQLParams => {
    if (typeof params.documentId !== 'string') return params;
    const { documentId, ...rest } = params;
    return {
      ...rest,
      extensions: { ...(rest.extensions ?? {}), persistedQuery: { version: 1, sha256Hash: documentId } },
    };
  };

  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult, setRequestParserResult }) {
          setRequestParserResult(
            Array.isArray(requestParserResult) ? requestParserResult.map(liftDocumentId) : liftDocumentId(requestParserResult),
          );
        },
      };
    },
    onPluginInit({ addPlugin }) {
      addPlugin(inner);
    },
  };
}
