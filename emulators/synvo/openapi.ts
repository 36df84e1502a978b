import { maxContextChars, maxUploadBytes } from './routes.js';
import { supportedTypes } from './extract.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const reply = (description: string, schema: unknown) => ({ description, content: json(schema) });

const subUser = {
  name: 'sub_user_name', in: 'query', required: false,
  description: 'Sub-user of the account; every sub-user is isolated.', schema: { type: 'string', default: 'default' },
};
const fileIdParam = { name: 'file_id', in: 'path', required: true, schema: { type: 'string' } };

const detailErrors = {
  '400': reply('Invalid parameters', ref('DetailError')),
  '401': reply('Missing or invalid API key', ref('DetailError')),
  '429': reply('Rate limit exceeded (Retry-After header)', ref('DetailError')),
};

/** The OpenAPI 3.0 description of the Synvo emulator, served at /openapi.json. */
export function synvoOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Synvo (memgate emulator)',
      version: '1.0.0',
      description: 'Sub-user profiles, events, file-grounded answers and file storage, as emulators/README.md in memgate describes Synvo.',
    },
    servers: [{ url: '/' }],
    security: [{ ApiKeyAuth: [] }],
    paths: {
      '/metadata/get_user_profile/': {
        get: {
          operationId: 'getUserProfile',
          summary: 'Structured profile of a sub-user; only categories and subtopics with evidence are present.',
          parameters: [subUser],
          responses: { '200': reply('The profile', ref('Profile')), ...detailErrors, '404': reply('Sub-user has no data', ref('DetailError')) },
        },
      },
      '/metadata/get_user_event/': {
        get: {
          operationId: 'getUserEvents',
          summary: 'The most recent events of a sub-user, in chronological order.',
          parameters: [
            subUser,
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 10 } },
            { name: 'start_time', in: 'query', required: false, description: 'ISO 8601; a time without zone is UTC.', schema: { type: 'string' } },
            { name: 'end_time', in: 'query', required: false, description: 'ISO 8601; a time without zone is UTC.', schema: { type: 'string' } },
          ],
          responses: {
            '200': reply('The events', { type: 'array', items: ref('Event') }),
            ...detailErrors,
            '404': reply('Sub-user has no data', ref('DetailError')),
          },
        },
      },
      '/ai/query': {
        post: {
          operationId: 'query',
          summary: "Answer from the sub-user's processed files; as SSE when streaming is true.",
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['payload'],
                  properties: {
                    payload: {
                      type: 'string',
                      description: `JSON {"messages":[{"role","content":[{"type":"text","text"}|{"type":"file","file_id","path"}]}]}; text up to ${maxContextChars} characters in all.`,
                    },
                    sub_user_name: { type: 'string', default: 'default' },
                    final_answer: { type: 'string', enum: ['true', 'false'], default: 'false' },
                    model: { type: 'string', enum: ['synvo'], default: 'synvo' },
                    streaming: { type: 'string', enum: ['true', 'false'], default: 'false' },
                    parent_cuid: { type: 'string', description: 'The cuid of the answer this question follows (threads a conversation).' },
                    force_search: { type: 'string', enum: ['true', 'false'], default: 'false', description: 'Always search the files before answering.' },
                  },
                },
              },
            },
          },
          responses: {
            '200': {
              description: 'The answer (JSON), or with streaming=true an event stream of token, then done (or error) events',
              content: {
                ...json(ref('QueryResponse')),
                'text/event-stream': { schema: { type: 'string', description: 'data: {"type":"token","content"} lines, then data: {"type":"done","response"}' } },
              },
            },
            '400': reply('INVALID_PAYLOAD, MODEL_UNAVAILABLE or CONTEXT_TOO_LONG', ref('CodeError')),
            '401': reply('Missing or invalid API key', ref('DetailError')),
            '429': reply('RATE_LIMITED (Retry-After header)', ref('CodeError')),
          },
        },
      },
      '/ai/search': {
        post: {
          operationId: 'searchFiles',
          summary: "The sub-user's files ranked by relevance to the message, best first.",
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['message'],
                  properties: { message: { type: 'string' }, sub_user_name: { type: 'string', default: 'default' } },
                },
              },
            },
          },
          responses: {
            '200': reply('Matching files', { type: 'array', items: ref('FileHit') }),
            '400': reply('INVALID_PAYLOAD (no message)', ref('CodeError')),
            '401': reply('Missing or invalid API key', ref('DetailError')),
            '429': reply('Rate limit exceeded (Retry-After header)', ref('DetailError')),
          },
        },
      },
      '/file/upload': {
        post: {
          operationId: 'uploadFile',
          summary: 'Stores a file; processing (PENDING, then COMPLETED or FAILED) is asynchronous.',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: {
                    file: { type: 'string', format: 'binary', description: `One of: ${Object.keys(supportedTypes).join(', ')}; at most ${maxUploadBytes} bytes` },
                    path: { type: 'string', default: '/' },
                    sub_user_name: { type: 'string', default: 'default' },
                  },
                },
              },
            },
          },
          responses: {
            '200': reply('Stored', ref('UploadResponse')),
            ...detailErrors,
            '413': reply(`Over ${maxUploadBytes} bytes`, ref('DetailError')),
          },
        },
      },
      '/file/status/{file_id}': {
        get: {
          operationId: 'getFileStatus',
          parameters: [fileIdParam, subUser],
          responses: { '200': reply('The status; UNKNOWN for an unknown id or another sub-user\'s file', ref('FileStatus')), ...detailErrors },
        },
      },
      '/file/list': {
        get: {
          operationId: 'listFiles',
          parameters: [
            subUser,
            { name: 'path', in: 'query', required: false, schema: { type: 'string', default: '/' } },
            { name: 'recursive', in: 'query', required: false, schema: { type: 'boolean', default: true } },
            { name: 'version', in: 'query', required: false, description: 'The version of an earlier listing: need_refresh_file then says whether anything changed since.', schema: { type: 'string' } },
          ],
          responses: {
            '200': reply('Directories and files under path', ref('FileList')),
            ...detailErrors,
            '404': reply('No such folder (for /: a sub-user with no files yet)', ref('DetailError')),
          },
        },
      },
      '/file/create_dir': {
        post: {
          operationId: 'createDir',
          summary: 'Makes a folder (and its parents); also 200 when it exists.',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: { type: 'object', required: ['path'], properties: { path: { type: 'string' }, sub_user_name: { type: 'string', default: 'default' } } },
              },
            },
          },
          responses: { '200': reply('Made, or already there', ref('Message')), ...detailErrors, '409': reply('A file holds that path', ref('DetailError')) },
        },
      },
      '/file/move': {
        post: {
          operationId: 'moveFile',
          summary: 'Moves or renames a file or a folder (with everything in it) to the full path dest.',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['src', 'dest'],
                  properties: { src: { type: 'string' }, dest: { type: 'string' }, sub_user_name: { type: 'string', default: 'default' } },
                },
              },
            },
          },
          responses: {
            '200': reply('Moved; file_moves lists [from, to] for the item, then for each file a folder took along', ref('MoveResponse')),
            ...detailErrors,
            '404': reply('Source not found', ref('DetailError')),
            '409': reply('Destination exists', ref('DetailError')),
          },
        },
      },
      '/file/download': {
        get: {
          operationId: 'downloadFile',
          summary: 'A signed, short-lived URL of the file (no API key needed to open it).',
          parameters: [{ name: 'file_id', in: 'query', required: true, schema: { type: 'string' } }, subUser],
          responses: { '200': reply('The signed URL', ref('DownloadResponse')), ...detailErrors, '404': reply('Unknown file (or another sub-user\'s)', ref('DetailError')) },
        },
      },
      '/file/thumbnail': {
        get: {
          operationId: 'getThumbnail',
          summary: 'A PNG thumbnail (images, PDFs, videos) at most max_size pixels on its longer side.',
          parameters: [
            { name: 'file_id', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'max_size', in: 'query', required: false, schema: { type: 'integer', minimum: 16, maximum: 1024, default: 200 } },
            subUser,
          ],
          responses: {
            '200': { description: 'The thumbnail', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } },
            ...detailErrors,
            '404': reply('Unknown file, or a type without a thumbnail', ref('DetailError')),
          },
        },
      },
      '/webpage/add': {
        post: {
          operationId: 'addWebpage',
          summary: 'Fetches a web page and stores it as an html file, processed like an upload.',
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: {
                  type: 'object',
                  required: ['url'],
                  properties: {
                    url: { type: 'string', format: 'uri' },
                    path: { type: 'string', default: '/web' },
                    name: { type: 'string', description: 'File name; default: from the page title (.html added).' },
                    build_memory: { type: 'string', enum: ['true', 'false'], default: 'true' },
                    disable_lazy_metadata: { type: 'string', enum: ['true', 'false'], default: 'false' },
                    sub_user_name: { type: 'string', default: 'default' },
                  },
                },
              },
            },
          },
          responses: {
            '200': reply('Stored; follow /file/status/{file_id}', ref('WebpageResponse')),
            ...detailErrors,
            '422': reply('The URL could not be fetched', ref('DetailError')),
          },
        },
      },
      '/file/delete/{file_id}': {
        delete: {
          operationId: 'deleteFile',
          parameters: [fileIdParam, subUser],
          responses: {
            '200': reply('Deleted', { type: 'object', required: ['message'], properties: { message: { type: 'string' } } }),
            ...detailErrors,
            '404': reply('Unknown file (or another sub-user\'s)', ref('DetailError')),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: {
        DetailError: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, detail: { type: 'string' } } },
        CodeError: { type: 'object', required: ['error', 'code'], properties: { error: { type: 'string' }, code: { type: 'string' } } },
        Profile: {
          type: 'object',
          description: 'Category (basic_info, contact_info, education, demographics, work, interest, psychological, life_event) to its subtopics. Several values of one subtopic are joined with "; ".',
          additionalProperties: ref('ProfileCategory'),
        },
        ProfileCategory: {
          type: 'object',
          required: ['sub_topics'],
          properties: { sub_topics: { type: 'object', additionalProperties: ref('ProfileValue') } },
        },
        ProfileValue: { type: 'object', required: ['value'], properties: { value: { type: 'string' } } },
        Event: {
          type: 'object',
          required: ['event_type', 'content', 'happen_time', 'mention_time'],
          properties: {
            event_type: { type: 'string', description: 'personal, financial, professional, educational or social' },
            content: { type: 'string' },
            happen_time: { type: 'string', nullable: true, description: 'Zone-less UTC time, e.g. 2025-10-23T00:00:00' },
            mention_time: { type: 'string', description: 'Zone-less UTC time, e.g. 2025-11-16T15:29:18.344000' },
          },
        },
        AnswerMessage: {
          type: 'object',
          required: ['role', 'content', 'cuid', 'created_at'],
          properties: {
            role: { type: 'string' },
            content: {
              type: 'array',
              description: 'A text part, then a file part for each file the question named that the answer drew on',
              items: {
                type: 'object',
                required: ['type'],
                properties: { type: { type: 'string', enum: ['text', 'file'] }, text: { type: 'string' }, file_id: { type: 'string' }, path: { type: 'string' } },
              },
            },
            cuid: { type: 'string' },
            created_at: { type: 'string', format: 'date-time' },
            searched_files: { type: 'array', items: ref('SearchedFile'), description: 'The files the answer drew on (with force_search, also those the search found)' },
          },
        },
        SearchedFile: {
          type: 'object',
          required: ['file_id', 'file_name', 'file_path'],
          properties: { file_id: { type: 'string' }, file_name: { type: 'string' }, file_path: { type: 'string' } },
        },
        Message: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
        MoveResponse: {
          type: 'object',
          required: ['message', 'file_moves'],
          properties: {
            message: { type: 'string' },
            file_moves: { type: 'array', items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } },
          },
        },
        DownloadResponse: {
          type: 'object',
          required: ['url', 'name', 'file_type', 'file_id'],
          properties: { url: { type: 'string', format: 'uri' }, name: { type: 'string' }, file_type: { type: 'string' }, file_id: { type: 'string' } },
        },
        WebpageResponse: {
          type: 'object',
          required: ['filename', 'path', 'file_id', 'timestamp'],
          properties: {
            filename: { type: 'string' },
            path: { type: 'string', description: 'Full path of the stored page' },
            file_id: { type: 'string' },
            timestamp: { type: 'string', format: 'date-time' },
          },
        },
        QueryResponse: {
          type: 'object',
          required: ['success', 'response', 'suid', 'summary', 'timestamp'],
          properties: {
            success: { type: 'boolean' },
            response: ref('AnswerMessage'),
            suid: { type: 'string' },
            summary: { type: 'string' },
            timestamp: { type: 'string', format: 'date-time' },
          },
        },
        FileHit: {
          type: 'object',
          required: ['file_id', 'file_path', 'file_name', 'file_type', 'created_at'],
          properties: {
            file_id: { type: 'string' },
            file_path: { type: 'string' },
            file_name: { type: 'string' },
            file_type: { type: 'string' },
            created_at: { type: 'string', format: 'date-time' },
          },
        },
        UploadResponse: {
          type: 'object',
          required: ['filename', 'path', 'renamed', 'file_id', 'timestamp'],
          properties: {
            filename: { type: 'string' },
            path: { type: 'string', description: 'Full path of the stored file' },
            renamed: { type: 'boolean' },
            file_id: { type: 'string' },
            timestamp: { type: 'string', format: 'date-time' },
          },
        },
        FileStatus: {
          type: 'object',
          required: ['file_id', 'status'],
          properties: { file_id: { type: 'string' }, status: { type: 'string', enum: ['PENDING', 'COMPLETED', 'FAILED', 'UNKNOWN'] } },
        },
        FileListItem: {
          type: 'object',
          required: ['is_dir', 'name', 'path', 'file_id', 'size', 'status', 'created_at'],
          properties: {
            is_dir: { type: 'boolean' },
            name: { type: 'string' },
            path: { type: 'string', description: 'Full path of the file or directory' },
            file_id: { type: 'string', nullable: true },
            size: { type: 'integer', nullable: true },
            status: { type: 'string', nullable: true, enum: ['PENDING', 'COMPLETED', 'FAILED', null] },
            created_at: { type: 'string', format: 'date-time', nullable: true },
          },
        },
        TreeEntry: {
          type: 'object',
          required: ['file_id', 'is_dir'],
          properties: { file_id: { type: 'string', nullable: true }, is_dir: { type: 'boolean' } },
        },
        FileList: {
          type: 'object',
          required: ['items', 'tree', 'version', 'need_refresh_file'],
          properties: {
            items: { type: 'array', items: ref('FileListItem') },
            tree: {
              type: 'object',
              description: 'Each folder listed (the requested one first) by full path, with its direct children by name',
              additionalProperties: { type: 'object', additionalProperties: ref('TreeEntry') },
            },
            version: { type: 'string', description: 'Changes whenever the sub-user\'s files change' },
            need_refresh_file: { type: 'boolean' },
          },
        },
      },
    },
  };
}
