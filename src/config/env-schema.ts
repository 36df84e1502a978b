/**
 * The environment's schema: every variable of api-design.md, each validated on its own, with a
 * message naming what is wrong (never the value). Rules across variables live in `policy.ts`.
 */
import { z } from 'zod';
import { DEFAULT_MAX_UPLOAD_BYTES } from '../memory/input-rules.js';
import { CONVERSATION_FIELD } from '../upstream/vocabulary.js';

const MIB = 1024 * 1024;

/** `null` for a string that is not a URL (zod runs refinements even after a failed check). */
export function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const port = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'must be a port number' })
      .int('must be an integer')
      .min(0, 'must be between 0 and 65535')
      .max(65535, 'must be between 0 and 65535')
      .default(fallback),
  );

const httpUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((u) => /^https?:$/.test(parseUrl(u)?.protocol ?? ''), 'must be an http or https URL such as https://api.example.com')
    .refine((u) => !parseUrl(u)?.username && !parseUrl(u)?.password, 'must not carry credentials')
    .optional(),
);

/** `true`/`false` (or 1/0, yes/no); absent: undefined, so the caller picks the default. */
const flag = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { errorMap: () => ({ message: 'must be true or false' }) })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .optional(),
);

const positiveInt = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').default(fallback),
  );

const secret = z.preprocess(emptyToUndefined, z.string().min(1).optional());

export const envSchema = z.object({
  PORT: port(4000),
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  NODE_ENV: z.preprocess(
    emptyToUndefined,
    z.enum(['development', 'production', 'test'], {
      errorMap: () => ({ message: 'must be one of development, production, test' }),
    }).default('development'),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      errorMap: () => ({ message: 'must be one of fatal, error, warn, info, debug, trace, silent' }),
    }).default('info'),
  ),
  SYNVO_BASE_URL: httpUrl,
  SYNVO_API_KEY: secret,
  MEMSYNC_BASE_URL: httpUrl,
  MEMSYNC_API_KEY: secret,
  MEMSYNC_SCOPING: z.preprocess(
    emptyToUndefined,
    z.enum(['key', 'user-param'], { errorMap: () => ({ message: 'must be key (one MemSync key per user, the default) or user-param' }) }).default('key'),
  ),
  MEMSYNC_AGENT_ID: z.preprocess(
    emptyToUndefined,
    z.string().regex(CONVERSATION_FIELD.pattern, CONVERSATION_FIELD.message).default('memgate'),
  ),
  MEMGATE_KEYRING_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'must be at least 16 characters (it encrypts the stored MemSync keys)').optional(),
  ),
  MEMGATE_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./.memgate')),
  MEMSYNC_USER_KEYS_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  SYNVO_EMULATOR_PORT: port(4010),
  MEMSYNC_EMULATOR_PORT: port(4020),
  MEMGATE_JWT_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'must be at least 16 characters (HS256 secret)').optional(),
  ),
  MEMGATE_JWKS_URL: httpUrl,
  MEMGATE_SERVICE_KEYS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((s) => s.split(',').map((k) => k.trim()).filter(Boolean))
      .refine((keys) => keys.length > 0, 'must list at least one key')
      .refine((keys) => keys.every((k) => k.length >= 8), 'every key must be at least 8 characters')
      .optional(),
  ),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((u) => /^rediss?:$/.test(parseUrl(u)?.protocol ?? ''), 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379')
      .optional(),
  ),
  REDIS_CLUSTER_NODES: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((s) => s.split(',').map((n) => n.trim()).filter(Boolean))
      .refine((nodes) => nodes.length > 0, 'must list at least one host:port')
      .refine(
        (nodes) => nodes.every((n) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(n) && Number(n.slice(n.lastIndexOf(':') + 1)) <= 65535),
        'must be comma-separated host:port seeds such as 10.0.0.1:7000,10.0.0.2:7000',
      )
      .transform((nodes) => nodes.map((n) => ({ host: n.slice(0, n.lastIndexOf(':')), port: Number(n.slice(n.lastIndexOf(':') + 1)) })))
      .optional(),
  ),
  MEMGATE_REDIS_PREFIX: z.preprocess(
    emptyToUndefined,
    z.string().max(64, 'must be at most 64 characters').regex(/^[A-Za-z0-9:._-]+$/, 'must be letters, digits, : . _ or -').default('memgate:'),
  ),
  MEMGATE_CACHE_TTL_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a number of seconds' }).min(0, 'must be 0 or more').max(86_400, 'must be at most 86400').default(30),
  ),
  MEMGATE_CACHE_MAX_ENTRIES: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').default(10_000),
  ),
  MEMGATE_INTROSPECTION: flag,
  MEMGATE_GRAPHIQL: flag,
  MEMGATE_PERSISTED_ONLY: flag,
  MEMGATE_PERSISTED_DOCUMENTS: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  MEMGATE_MAX_UPLOAD_MB: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a number of MiB' }).positive('must be more than 0').max(10_240, 'must be at most 10240').default(DEFAULT_MAX_UPLOAD_BYTES / MIB),
  ),
  MEMGATE_RATE_LIMIT_USER_PER_MINUTE: positiveInt(120),
  MEMGATE_RATE_LIMIT_SERVICE_PER_MINUTE: positiveInt(1200),
  MEMGATE_DRAIN_TIMEOUT_MS: positiveInt(10_000),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  MEMGATE_MCP_TOKEN: secret,
  MEMGATE_MCP_API_KEY: secret,
  MEMGATE_FILE_POLL_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a number of milliseconds' }).int('must be a whole number').min(10, 'must be at least 10').max(60_000, 'must be at most 60000').default(1_000),
  ),
  MEMGATE_EVENTS_POLL_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ invalid_type_error: 'must be a number of milliseconds' }).int('must be a whole number').min(10, 'must be at least 10').max(300_000, 'must be at most 300000').default(5_000),
  ),
});


export type Env = z.infer<typeof envSchema>;
