/**
 * JSON that keeps `Date`s: the cached upstream types (events, bios, files) hold dates, and a
 * value read back from Redis must be the same shape as one read from the upstream client.
 */
const dateTag = '$date';

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? { [dateTag]: raw.getTime() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const time = record[dateTag];
    if (typeof time === 'number' && Object.keys(record).length === 1) return new Date(time);
  }
  return value;
}

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, reviver);
}
