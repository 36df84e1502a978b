import { buildSchema, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, test } from 'vitest';
import { operationInputSchema } from '../../src/mcp/input-schema.js';
import { prepareTools } from '../../src/mcp/server.js';
import { documentId, MCP_TOOLS, mcpPersistedDocuments } from '../../src/mcp/tools.js';
import { schema as gatewaySchema } from '../../src/schema/index.js';

const schema = buildSchema(`
  scalar DateTime
  enum Mood { HAPPY SAD }
  "A note to keep."
  input NoteInput {
    "What to remember."
    text: String!
    mood: Mood = HAPPY
    tags: [String!]
  }
  type Query {
    notes(
      "Only notes after this moment."
      since: DateTime
      "At most this many."
      limit: Int = 10
      mood: Mood
    ): [String!]
  }
  type Mutation { keep("The note." note: NoteInput!, weight: Float!): Boolean }
`);

const operation = (source: string) =>
  parse(source).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;

describe('input schemas from variable definitions', () => {
  test('scalars, enums and defaults, described by the argument each variable feeds', () => {
    const op = operation('query Notes($since: DateTime, $limit: Int = 5, $mood: Mood) { notes(since: $since, limit: $limit, mood: $mood) }');
    expect(operationInputSchema(schema, op)).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        since: { type: 'string', format: 'date-time', description: 'Only notes after this moment.' },
        limit: { type: 'integer', default: 5, description: 'At most this many.' },
        mood: { type: 'string', enum: ['HAPPY', 'SAD'] },
      },
    });
  });

  test('input objects and lists, required where non-null without a default', () => {
    const op = operation('mutation Keep($note: NoteInput!, $weight: Float!) { keep(note: $note, weight: $weight) }');
    expect(operationInputSchema(schema, op)).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['note', 'weight'],
      properties: {
        note: {
          type: 'object',
          description: 'The note.',
          additionalProperties: false,
          required: ['text'],
          properties: {
            text: { type: 'string', description: 'What to remember.' },
            mood: { type: 'string', enum: ['HAPPY', 'SAD'] },
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
        weight: { type: 'number' },
      },
    });
  });

  test('a variable the server fills in is optional, with the description given', () => {
    const op = operation('mutation Keep($note: NoteInput!, $weight: Float!) { keep(note: $note, weight: $weight) }');
    const generated = operationInputSchema(schema, op, { optional: ['weight'], descriptions: { weight: 'How much it matters.' } });
    expect(generated.required).toEqual(['note']);
    expect(generated.properties['weight']).toEqual({ type: 'number', description: 'How much it matters.' });
  });
});

describe("the gateway's tools", () => {
  test('every operation validates against the schema, and user is optional in each', () => {
    const tools = prepareTools(gatewaySchema);
    expect(tools.map((t) => t.tool.name)).toEqual(MCP_TOOLS.map((t) => t.name));
    for (const t of tools) {
      expect(t.tool.inputSchema.properties).toHaveProperty('user');
      expect(t.tool.inputSchema.required ?? []).not.toContain('user');
    }
  });

  test('a tool whose operation does not fit the schema is refused by name', () => {
    const broken = { ...MCP_TOOLS[0]!, name: 'broken', document: 'query Broken($user: String!) { user(name: $user) { nope } }' };
    expect(() => prepareTools(gatewaySchema, [broken])).toThrow(/broken.*nope/);
  });

  test('the persisted documents are keyed by the sha256 of their text', () => {
    const documents = mcpPersistedDocuments();
    for (const t of MCP_TOOLS) expect(documents.get(documentId(t.document).slice('sha256:'.length))).toBe(t.document);
  });
});
