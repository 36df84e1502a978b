/**
 * The MCP tools, each one persisted GraphQL operation. The documents are the gateway's own (their
 * sha256 is their documentId, known to the persisted-documents plugin), so a tool call is an
 * ordinary GraphQL request: auth, limits, rate limits, cache, metrics and error codes apply
 * unchanged. What a tool shows the model as text is rendered from the operation's data.
 */
import { createHash } from 'node:crypto';

export interface McpToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface McpToolDefinition {
  name: string;
  title: string;
  description: string;
  /** The persisted operation (one operation per document). */
  document: string;
  /**
   * The variable that names the user: optional for a JWT caller (it acts as itself), required for
   * a service key. Query tools take it as `user(name:)`, mutations and subscriptions as `user:`.
   */
  userVariable: string;
  /** The field of `data` the tool is about: null with errors is a failed call (null alone is an answer, e.g. no profile yet). */
  resultPath: readonly string[];
  /** The text the model reads, from the data at resultPath. */
  render(result: unknown): string;
  annotations: McpToolAnnotations;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

const READ: McpToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

export const MCP_TOOLS: readonly McpToolDefinition[] = [
  {
    name: 'get_context',
    title: 'Get user context',
    description:
      'What is known about the user, from their files (Synvo) and conversations (MemSync), ranked for what you are about to ' +
      'do and cut to a token budget: profile, recent and relevant events, matching memories, biography, matching files. ' +
      'Call it before answering the user; put the text in your prompt.',
    document: `query GetContext($user: String!, $query: String!, $maxTokens: Int = 1500) {
  user(name: $user) {
    context(query: $query, maxTokens: $maxTokens) {
      text
      tokens
      omitted
      complete
      items { kind service sourceId score text }
      sources { kind service status found }
    }
  }
}`,
    userVariable: 'user',
    resultPath: ['user', 'context'],
    render: (c) => {
      const context = c as { text: string; complete: boolean };
      const note = context.complete ? '' : '\n\n(Partial: a source could not be read; see the errors.)';
      return (context.text || '(Nothing is known about this user that fits the query.)') + note;
    },
    annotations: READ,
  },
  {
    name: 'search_memories',
    title: 'Search memories',
    description: "The user's MemSync memories closest in meaning to a query, closest first.",
    document: `query SearchMemories($user: String!, $query: String!, $limit: Int = 10, $categories: [MemoryCategory!]) {
  user(name: $user) {
    memories(query: $query, limit: $limit, categories: $categories) { id text categories type createdAt }
  }
}`,
    userVariable: 'user',
    resultPath: ['user', 'memories'],
    render: json,
    annotations: READ,
  },
  {
    name: 'store_conversation',
    title: 'Store a conversation',
    description:
      'Stores conversation messages (USER and ASSISTANT turns) in MemSync, which extracts lasting memories from them ' +
      '(facts, preferences, events). Send the turns worth remembering, oldest first; give the same threadId to every part ' +
      'of one conversation.',
    document: `mutation StoreConversation($messages: [MessageInput!]!, $threadId: String, $source: String, $user: String) {
  storeMemories(messages: $messages, threadId: $threadId, source: $source, user: $user) {
    count
    categories
    memories { id text categories type }
  }
}`,
    userVariable: 'user',
    resultPath: ['storeMemories'],
    render: json,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  },
  {
    name: 'ask_files',
    title: "Ask the user's files",
    description:
      "Answers a question from the user's files (Synvo), with the files it drew on. The answer streams as progress " +
      'notifications (each carries the next piece of text in `message`) when the call has a progressToken; the result is the ' +
      'whole answer. To follow up, pass the answer\'s messageId as parentId.',
    document: `subscription AskFiles($question: String!, $parentId: ID, $fileIds: [ID!], $user: String) {
  ask(question: $question, parentId: $parentId, fileIds: $fileIds, user: $user) {
    token
    answer { text messageId sessionId createdAt sources { fileId name path } }
  }
}`,
    userVariable: 'user',
    resultPath: ['ask', 'answer'],
    render: (a) => {
      const answer = a as { text: string; sources: Array<{ fileId: string; path: string; name: string }> };
      const text = answer.text || "(The user's files hold no answer to this question.)";
      const sources = answer.sources.map((s) => s.path || s.name || s.fileId);
      return sources.length > 0 ? `${text}\n\nSources: ${sources.join(', ')}` : text;
    },
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  },
  {
    name: 'get_profile',
    title: 'Get profile',
    description:
      "The user's structured profile from Synvo: every attribute (category, subtopic, values), such as education, work, " +
      'interests. Null while Synvo has nothing on the user.',
    document: `query GetProfile($user: String!) {
  user(name: $user) {
    profile { attributes { category subtopic values } }
  }
}`,
    userVariable: 'user',
    resultPath: ['user', 'profile'],
    render: (p) => (p === null ? '(No profile yet.)' : json(p)),
    annotations: READ,
  },
  {
    name: 'list_files',
    title: 'List files',
    description:
      "The user's folders and files in Synvo under a folder, folders first, with each file's processing status. Use a file's " +
      'id with ask_files (fileIds) to answer from it alone.',
    document: `query ListFiles($user: String!, $path: String = "/", $recursive: Boolean = true) {
  user(name: $user) {
    files(path: $path, recursive: $recursive) { id name path isDir size status mimeType createdAt }
  }
}`,
    userVariable: 'user',
    resultPath: ['user', 'files'],
    render: json,
    annotations: READ,
  },
  {
    name: 'add_webpage',
    title: 'Add a web page',
    description:
      "Adds a web page to the user's files: Synvo fetches it and processes it like an upload (tens of seconds), after which " +
      'ask_files, get_context and the profile draw on it. A URL Synvo cannot fetch is an error.',
    document: `mutation AddWebpage($url: String!, $path: String, $name: String, $user: String) {
  addWebpage(url: $url, path: $path, name: $name, user: $user) { id name path uploadedAt }
}`,
    userVariable: 'user',
    resultPath: ['addWebpage'],
    render: json,
    // Adding the same page twice keeps two copies.
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  },
];

/** A persisted document's id: the sha256 of its text, as `sha256:<hex>`. */
export function documentId(document: string): string {
  return `sha256:${createHash('sha256').update(document).digest('hex')}`;
}

/** The tools' documents by hash (hex, no prefix), for the persisted-documents manifest. */
export function mcpPersistedDocuments(): Map<string, string> {
  return new Map(MCP_TOOLS.map((t) => [documentId(t.document).slice('sha256:'.length), t.document]));
}
