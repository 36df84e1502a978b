/**
 * GraphQL Code Generator (`npm run codegen`): typed documents for the operations the tests send,
 * generated from schema.graphql into test/gql/ (committed). Run `npm run schema` first when the
 * schema changed.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/e2e/graph/operations.ts', 'test/e2e/writes/operations.ts', 'test/e2e/memsync-keys/operations.ts'],
  ignoreNoDocuments: true,
  // NodeNext: relative imports in the output end in .js.
  emitLegacyCommonJSImports: false,
  generates: {
    'test/gql/': {
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
  },
};

export default config;
