/**
 * The MCP server over the graph (@modelcontextprotocol/sdk's low-level `Server`, so the tools'
 * input schemas can be the JSON Schemas generated from the operations' variables). One server
 * per caller: on Streamable HTTP one per request (stateless), on stdio one per process.
 *
 * A tool call is its persisted operation run through yoga with the caller's credentials. Errors
 * are tool errors (`isError`), never protocol errors: the text names each `extensions.code`, and
 * `structuredContent.errors` holds the GraphQL errors as the gateway sent them. A result with data
 * and errors (one upstream failing) is a success that carries its errors too.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { Kind, OperationTypeNode, parse, validate, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Credentials } from '../server/auth.js';
import type { Caller } from '../schema/context.js';
import { executeOperation, type FetchesGraphQL, type FormattedResult } from './execute.js';
import { operationInputSchema } from './input-schema.js';
import { documentId, MCP_TOOLS, type McpToolDefinition } from './tools.js';

export const MCP_SERVER_NAME = 'memgate';

const USER_DESCRIPTION =
  'Whose memory to use: a user name. Leave it out when signed in with a JWT (the signed-in user; naming anyone else is FORBIDDEN); required with a service key.';

/** A tool ready to list and call: its definition, parsed operation and input schema. */
export interface PreparedTool {
  definition: McpToolDefinition;
  operation: OperationDefinitionNode;
  documentId: string;
  tool: Tool;
}

/**
 * Parses and validates every tool's operation against the schema (a tool whose operation does
 * not validate is a bug: this throws naming it) and generates the input schemas. Once per process.
 */
export function prepareTools(schema: GraphQLSchema, definitions: readonly McpToolDefinition[] = MCP_TOOLS): PreparedTool[] {
  return definitions.map((definition) => {
    const document = parse(definition.document);
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`MCP tool ${definition.name}: its operation does not validate: ${errors[0]!.message}`);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const inputSchema = operationInputSchema(schema, operation, {
      optional: [definition.userVariable],
      descriptions: { [definition.userVariable]: USER_DESCRIPTION },
    });
    return {
      definition,
      operation,
      documentId: documentId(definition.document),
      tool: {
        name: definition.name,
        title: definition.title,
        description: definition.description,
        inputSchema: inputSchema as Tool['inputSchema'],
        annotations: { title: definition.title, ...definition.annotations },
      },
    };
  });
}

export interface McpServerOptions {
  tools: readonly PreparedTool[];
  yoga: FetchesGraphQL;
  /** The GraphQL endpoint's path. */
  graphqlPath: string;
  /** Send documentIds (the gateway runs the persisted-documents plugin). */
  persisted: boolean;
  /** Who is calling (already authenticated) and the credentials to send on with each operation. */
  caller: Caller;
  credentials: Credentials;
  /** @default the package version */
  version?: string;
}

function errorText(errors: readonly GraphQLFormattedError[]): string {
  return errors.map((e) => `${String(e.extensions?.['code'] ?? 'INTERNAL_SERVER_ERROR')}: ${e.message}`).join('\n');
}

function toolError(code: string, message: string, extra: Record<string, unknown> = {}): CallToolResult {
  const error = { message, extensions: { code, ...extra } };
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}` }], structuredContent: { errors: [error] } };
}

function at(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const key of path) value = value === null || value === undefined ? value : (value as Record<string, unknown>)[key];
  return value;
}

function result(tool: McpToolDefinition, data: unknown, errors: readonly GraphQLFormattedError[]): CallToolResult {
  const value = at(data, tool.resultPath);
  if ((value === null || value === undefined) && errors.length > 0) {
    return { isError: true, content: [{ type: 'text', text: errorText(errors) }], structuredContent: { errors } };
  }
  const text = tool.render(value ?? null) + (errors.length > 0 ? `\n\nErrors:\n${errorText(errors)}` : '');
  const structured: Record<string, unknown> = { [tool.resultPath[tool.resultPath.length - 1]!]: value ?? null };
  if (errors.length > 0) structured['errors'] = errors;
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

export function createMcpServer(options: McpServerOptions): Server {
  const server = new Server(
    { name: MCP_SERVER_NAME, title: 'memgate: user memory from Synvo and MemSync', version: options.version ?? '0.1.0' },
    {
      capabilities: { tools: {} },
      instructions:
        'Memory about the user from their files (Synvo) and conversations (MemSync). Call get_context with what you are ' +
        'about to do before answering; store_conversation to remember what the user told you.',
    },
  );
  const byName = new Map(options.tools.map((t) => [t.definition.name, t]));

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: options.tools.map((t) => t.tool) }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const prepared = byName.get(request.params.name);
    if (!prepared) return toolError('BAD_USER_INPUT', `Unknown tool "${request.params.name}"`, { argument: 'name' });
    const { definition } = prepared;
    const args = request.params.arguments ?? {};
    const known = new Set(Object.keys((prepared.tool.inputSchema.properties ?? {}) as object));
    const unknown = Object.keys(args).filter((k) => !known.has(k));
    if (unknown.length > 0) {
      return toolError('BAD_USER_INPUT', `Unknown argument "${unknown[0]}"; this tool takes: ${[...known].join(', ')}`, { argument: unknown[0] });
    }
    const variables: Record<string, unknown> = { ...args };
    const userVariable = definition.userVariable;
    if ((variables[userVariable] === undefined || variables[userVariable] === null) && options.caller.kind === 'user') {
      variables[userVariable] = options.caller.name;
    }
    if (variables[userVariable] === undefined && prepared.operation.operation === OperationTypeNode.QUERY) {
      return toolError('BAD_USER_INPUT', `A service key must name the user: pass "${userVariable}"`, { argument: userVariable });
    }

    const subscription = prepared.operation.operation === OperationTypeNode.SUBSCRIPTION;
    const progressToken = extra._meta?.progressToken;
    let progress = 0;
    const executed = await executeOperation(
      { document: definition.document, documentId: prepared.documentId, operationName: prepared.operation.name!.value, variables, subscription },
      {
        yoga: options.yoga,
        path: options.graphqlPath,
        persisted: options.persisted,
        credentials: options.credentials,
        signal: extra.signal,
        onResult: async (chunk: FormattedResult) => {
          const token = (chunk.data as { ask?: { token?: string } } | null | undefined)?.ask?.token;
          if (progressToken === undefined || !token) return;
          progress += 1;
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message: token } });
        },
      },
    );
    // The SDK client handles a notification a microtask after it reads it, and forgets the progress
    // token when the result arrives: let the last notification leave in a write of its own.
    if (progress > 0) await new Promise((resolve) => setImmediate(resolve));
    if (executed.status === 401) {
      const first = executed.results[0]?.errors?.[0];
      return toolError('UNAUTHENTICATED', first?.message ?? 'Authentication required');
    }
    const errors = executed.results.flatMap((r) => r.errors ?? []);
    // A subscription's answer is on its last result; the other tools have one result.
    const last = [...executed.results].reverse().find((r) => r.data !== undefined && r.data !== null);
    if (subscription && !last && errors.length === 0) return toolError('INTERNAL_SERVER_ERROR', 'The answer stream ended without an answer');
    return result(definition, last?.data ?? null, errors);
  });

  return server;
}
