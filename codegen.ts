/**
 * GraphQL Code Generator (`npm run codegen`): typed documents for the operations the tests send,
 * generated from schema.graphql into test/gql/, and for the front-end example's, into
 * examples/web/src/gql/ (both committed). Run `npm run schema` first when the
 * schema changed.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: true,
  // NodeNext: relative imports in the output end in .js.
  emitLegacyCommonJSImports: false,
  generates: {
    'test/gql/': {
      documents: ['test/e2e/graph/operations.ts', 'test/e2e/writes/operations.ts', 'test/e2e/memsync-keys/operations.ts'],
      preset: 'client',
      // persistedDocuments: test/gql/persisted-documents.json (hash -> document), the manifest of MEMGATE_PERSISTED_ONLY.
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: {
        scalars: { DateTime: 'string', File: 'File' },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: false,
      },
    },
    // The front-end example's typed client (examples/web/): its own documents, no manifest.
    'examples/web/src/gql/': {
      documents: ['examples/web/src/operations.ts'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', File: 'File' },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: false,
      },
    },
  },
};

export default config;
