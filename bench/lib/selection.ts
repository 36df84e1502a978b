/**
 * Builds "everything under this field" selection sets from an introspected schema, so that each
 * contender's query asks for all the data its upstream calls return (same work, whatever the
 * contender's type names are). Fields with required arguments are left out.
 */
import {
  buildClientSchema, getIntrospectionQuery, getNamedType, isAbstractType, isLeafType, isNonNullType, isObjectType,
  type GraphQLField, type GraphQLNamedType, type GraphQLSchema, type IntrospectionQuery,
} from 'graphql';

export async function fetchSchema(url: string, headers: Record<string, string> = {}): Promise<GraphQLSchema> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await res.json()) as { data?: IntrospectionQuery; errors?: unknown };
  if (!body.data) throw new Error(`introspection of ${url} failed: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return buildClientSchema(body.data);
}

export interface SelectionOptions {
  /** Deepest nesting of object fields. @default 4 */
  depth?: number;
  /** Per type name, the only fields to select (e.g. Profile: ['attributes']). */
  only?: Record<string, readonly string[]>;
}

function usable(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.every((a) => a.defaultValue !== undefined || !isNonNullType(a.type));
}

/**
 * `aliased`: inside a union's fragments, fields are aliased `Type_field` so that members whose
 * same-named fields differ in type (Mesh's per-status error types) do not conflict.
 */
export function selectionFor(schema: GraphQLSchema, type: GraphQLNamedType, opts: SelectionOptions = {}, depth = opts.depth ?? 4, aliased = false): string {
  if (isLeafType(type)) return '';
  if (depth <= 0) return '{ __typename }';
  if (isAbstractType(type)) {
    const parts = schema.getPossibleTypes(type).map((t) => `... on ${t.name} ${selectionFor(schema, t, opts, depth, true)}`);
    return `{ __typename ${parts.join(' ')} }`;
  }
  if (!isObjectType(type)) return '';
  const only = opts.only?.[type.name];
  const fields = Object.values(type.getFields()).filter((f) => (only ? only.includes(f.name) : usable(f)) && !f.name.startsWith('__'));
  const parts = fields.map((f) => {
    const named = getNamedType(f.type);
    const name = aliased ? `${type.name}_${f.name}: ${f.name}` : f.name;
    return isLeafType(named) ? name : `${name} ${selectionFor(schema, named, opts, depth - 1)}`;
  });
  return `{ ${parts.join(' ') || '__typename'} }`;
}

/** Selection for a field of a type, e.g. ('User', 'events'). */
export function fieldSelection(schema: GraphQLSchema, typeName: string, fieldName: string, opts: SelectionOptions = {}): string {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  const field = type.getFields()[fieldName];
  if (!field) throw new Error(`${typeName}.${fieldName} does not exist`);
  return selectionFor(schema, getNamedType(field.type), opts);
}
