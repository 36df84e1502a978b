/**
 * A tool's input schema, generated from its operation's variable definitions against the graph's
 * schema: one property per variable, typed from the GraphQL type (scalars, enums by name, input
 * objects, lists), required when non-null without a default, with the default, and described by
 * the argument the variable feeds (so the schema's documentation is the tools' too).
 */
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  Kind,
  TypeInfo,
  astFromValue,
  getNamedType,
  isInputType,
  typeFromAST,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

export interface JsonSchema {
  type?: string;
  description?: string;
  enum?: string[];
  format?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  default?: unknown;
}

export interface ObjectJsonSchema extends JsonSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
}

const SCALARS: Record<string, JsonSchema> = {
  String: { type: 'string' },
  ID: { type: 'string' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
};

function withDescription(schema: JsonSchema, description: string | null | undefined): JsonSchema {
  return description ? { ...schema, description } : schema;
}

/** The JSON Schema of a GraphQL input type (nullability is the caller's `required`). */
export function inputTypeToJsonSchema(type: GraphQLInputType): JsonSchema {
  if (type instanceof GraphQLNonNull) return inputTypeToJsonSchema(type.ofType);
  if (type instanceof GraphQLList) return { type: 'array', items: inputTypeToJsonSchema(type.ofType) };
  if (type instanceof GraphQLEnumType) {
    return withDescription({ type: 'string', enum: type.getValues().map((v) => v.name) }, type.description);
  }
  if (type instanceof GraphQLInputObjectType) {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of Object.values(type.getFields())) {
      properties[field.name] = withDescription(inputTypeToJsonSchema(field.type), field.description);
      if (field.type instanceof GraphQLNonNull && field.defaultValue === undefined) required.push(field.name);
    }
    return withDescription(
      { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false },
      type.description,
    );
  }
  // A scalar's own description (graphql-js's for String, Int...) says nothing about the argument.
  if (type instanceof GraphQLScalarType) return { ...(SCALARS[type.name] ?? {}) };
  return {};
}

/** The description of the argument (or input field) each variable of the operation feeds. */
function variableDescriptions(schema: GraphQLSchema, operation: OperationDefinitionNode): Map<string, string> {
  const found = new Map<string, string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    operation,
    visitWithTypeInfo(typeInfo, {
      Variable(node, _key, parent) {
        let description: string | null | undefined;
        if (parent && 'kind' in parent && parent.kind === Kind.OBJECT_FIELD) {
          const owner = getNamedType(typeInfo.getParentInputType());
          if (owner instanceof GraphQLInputObjectType) description = owner.getFields()[parent.name.value]?.description;
        } else {
          description = typeInfo.getArgument()?.description;
        }
        if (description && !found.has(node.name.value)) found.set(node.name.value, description);
      },
    }),
  );
  return found;
}

/** A variable's default as JSON (enums by name), or undefined. */
function defaultAsJson(type: GraphQLInputType, node: Parameters<typeof valueFromAST>[0]): unknown {
  if (!node) return undefined;
  const value = valueFromAST(node, type);
  const ast = value === undefined ? undefined : astFromValue(value, type);
  if (!ast) return undefined;
  const toJson = (n: typeof ast): unknown => {
    switch (n.kind) {
      case Kind.INT:
        return Number.parseInt(n.value, 10);
      case Kind.FLOAT:
        return Number.parseFloat(n.value);
      case Kind.STRING:
      case Kind.ENUM:
        return n.value;
      case Kind.BOOLEAN:
        return n.value;
      case Kind.NULL:
        return null;
      case Kind.LIST:
        return n.values.map(toJson);
      case Kind.OBJECT:
        return Object.fromEntries(n.fields.map((f) => [f.name.value, toJson(f.value)]));
      default:
        return undefined;
    }
  };
  return toJson(ast);
}

export interface InputSchemaOptions {
  /** Variables that are optional to the tool whatever their GraphQL type (filled in by the server). */
  optional?: readonly string[];
  /** Descriptions that replace the arguments' own. */
  descriptions?: Readonly<Record<string, string>>;
}

export function operationInputSchema(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  options: InputSchemaOptions = {},
): ObjectJsonSchema {
  const described = variableDescriptions(schema, operation);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as Parameters<typeof typeFromAST>[1]);
    if (!type || !isInputType(type)) throw new Error(`Variable $${name}: unknown input type`);
    let property = withDescription(inputTypeToJsonSchema(type), options.descriptions?.[name] ?? described.get(name));
    const fallback = defaultAsJson(type, definition.defaultValue);
    if (fallback !== undefined) property = { ...property, default: fallback };
    properties[name] = property;
    if (type instanceof GraphQLNonNull && fallback === undefined && !options.optional?.includes(name)) required.push(name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}
