/**
 * The Hive Gateway contender's queries. Mesh names root fields after the OpenAPI operation ids,
 * so they are found by the REST path they call (`@httpOperation(path:)` in the supergraph), and
 * their selections cover everything the upstream returns (bench/lib/selection.ts).
 */
import { Kind, parse, type GraphQLSchema } from 'graphql';
import { selectionFor } from '../lib/selection.js';

export interface HiveRootField {
  name: string;
  /** The argument naming the user (`sub_user_name`, `user_id`). */
  userArg: string;
  selection: string;
}

export interface HiveFields {
  profile: HiveRootField;
  events: HiveRootField;
  bio: HiveRootField;
}

const wanted = { profile: /get_user_profile/, events: /get_user_event/, bio: /profile\/bio/ } as const;

export function hiveFields(supergraphSdl: string, schema: GraphQLSchema): HiveFields {
  const doc = parse(supergraphSdl);
  const byPath = new Map<string, { name: string; args: string[] }>();
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION || def.name.value !== 'Query') continue;
    for (const field of def.fields ?? []) {
      const http = field.directives?.find((d) => d.name.value === 'httpOperation');
      const path = http?.arguments?.find((a) => a.name.value === 'path')?.value;
      if (path?.kind === Kind.STRING) byPath.set(path.value, { name: field.name.value, args: (field.arguments ?? []).map((a) => a.name.value) });
    }
  }
  const queryType = schema.getQueryType()!;
  const pick = (key: keyof typeof wanted): HiveRootField => {
    const found = [...byPath.entries()].find(([path]) => wanted[key].test(path));
    if (!found) throw new Error(`Hive supergraph has no query field for ${key} (paths: ${[...byPath.keys()].join(', ')})`);
    const [, { name, args }] = found;
    const userArg = args.find((a) => /user/.test(a));
    if (!userArg) throw new Error(`Hive field ${name} takes no user argument (${args.join(', ')})`);
    const field = queryType.getFields()[name]!;
    let type = field.type;
    while ('ofType' in type) type = type.ofType;
    return { name, userArg, selection: selectionFor(schema, type) };
  };
  return { profile: pick('profile'), events: pick('events'), bio: pick('bio') };
}

const call = (f: HiveRootField, alias: string, variable: string, extra = '') => `${alias}: ${f.name}(${f.userArg}: $${variable}${extra}) ${f.selection}`;

export function hiveOneQuery(f: HiveFields): string {
  return `query One($u: String!) { ${call(f.profile, 'profile', 'u')} }`;
}

export function hiveViewQuery(f: HiveFields): string {
  return `query View($u: String!) { ${call(f.profile, 'profile', 'u')} ${call(f.events, 'events', 'u', ', limit: 10')} ${call(f.bio, 'bio', 'u')} }`;
}

/** One aliased triple per name, duplicates included (GraphQL has no batching of root fields by argument). */
export function hiveUsersQuery(f: HiveFields, count: number): string {
  const vars = Array.from({ length: count }, (_, i) => `$u${i}: String!`).join(', ');
  const body = Array.from({ length: count }, (_, i) =>
    `${call(f.profile, `p${i}`, `u${i}`)} ${call(f.events, `e${i}`, `u${i}`, ', limit: 10')} ${call(f.bio, `b${i}`, `u${i}`)}`,
  ).join(' ');
  return `query Users(${vars}) { ${body} }`;
}
