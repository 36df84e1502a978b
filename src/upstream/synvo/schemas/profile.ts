/**
 * The profile response: both shapes of a category (`sub_topics` or plain values) are read, keys
 * are lower-cased, unknown categories and subtopics are kept, and values met twice are merged.
 */
import { z } from 'zod';
import { parseResponse, typeName } from '../../response-schema.js';
import type { ProfileAttribute, SynvoProfile } from '../types.js';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** A subtopic's value: one value, several, or null (no evidence). */
const profileValue = z.union([scalar, z.array(scalar), z.null()], {
  errorMap: (_, ctx) => ({ message: `expected string, string[] or null, received ${typeName(ctx.data)}` }),
});
type Leaf = z.infer<typeof profileValue>;

/** `{"sub_topics":{"school":{"value":"NTU"}}}` */
const standardCategory = z.object({ sub_topics: z.record(z.object({ value: profileValue }).passthrough()) }).passthrough();
/** `{"school":"NTU"}` or `{"school":["NTU","NUS"]}` */
const alternateCategory = z.record(profileValue);

/**
 * Either shape per category. A plain union (no transform re-parsing the category): the profile
 * is the gateway's hottest read, and this form costs a fraction of the per-category re-parse.
 */
export const profileResponse = z.record(z.union([standardCategory, alternateCategory], { errorMap: (_, ctx) => ({ message: `expected object, received ${typeName(ctx.data)}` }) }));

function valuesOf(leaf: Leaf): string[] {
  if (leaf === null) return [];
  const list = Array.isArray(leaf) ? leaf : [leaf];
  return list.map((v) => String(v).trim()).filter((v) => v !== '');
}

export function readProfile(body: unknown): SynvoProfile {
  const categories = parseResponse(profileResponse, body);
  const byKey = new Map<string, ProfileAttribute>();
  for (const [rawCategory, category] of Object.entries(categories)) {
    const categoryKey = rawCategory.trim().toLowerCase();
    const leaves: [string, Leaf][] =
      'sub_topics' in category && typeof category.sub_topics === 'object' && category.sub_topics !== null && !Array.isArray(category.sub_topics)
        ? Object.entries((category as z.infer<typeof standardCategory>).sub_topics).map(([sub, entry]) => [sub, entry.value])
        : Object.entries(category as z.infer<typeof alternateCategory>);
    for (const [rawSub, leaf] of leaves) {
      const subtopic = rawSub.trim().toLowerCase();
      const values = valuesOf(leaf);
      if (values.length === 0) continue;
      const key = `${categoryKey}\u0000${subtopic}`;
      const existing = byKey.get(key);
      if (existing) {
        for (const v of values) if (!existing.values.includes(v)) existing.values.push(v);
      } else {
        byKey.set(key, { category: categoryKey, subtopic, values });
      }
    }
  }
  return { attributes: [...byKey.values()] };
}
