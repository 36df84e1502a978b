/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query DemoViewer {\n    viewer {\n      name\n      profile {\n        basicInfo { name }\n        education { school major }\n        work { company title }\n      }\n      events(limit: 5) { type content time }\n      ... @defer {\n        biography(format: SHORT) {\n          __typename\n          ... on Biography { text keyThemes }\n          ... on BiographyNotReady { suggestion currentMemoryCount }\n        }\n      }\n    }\n  }\n": typeof types.DemoViewerDocument,
    "\n  subscription DemoAsk($question: String!) {\n    ask(question: $question) {\n      token\n      answer { text summary sources { fileId name path } }\n    }\n  }\n": typeof types.DemoAskDocument,
    "\n  mutation DemoUpload($file: File!) {\n    uploadFile(file: $file, path: \"/demo\") { id name path }\n  }\n": typeof types.DemoUploadDocument,
    "\n  subscription DemoFileStatus($id: ID!) {\n    fileStatus(id: $id) { id name status }\n  }\n": typeof types.DemoFileStatusDocument,
    "\n  subscription DemoEvents {\n    events { type content time }\n  }\n": typeof types.DemoEventsDocument,
};
const documents: Documents = {
    "\n  query DemoViewer {\n    viewer {\n      name\n      profile {\n        basicInfo { name }\n        education { school major }\n        work { company title }\n      }\n      events(limit: 5) { type content time }\n      ... @defer {\n        biography(format: SHORT) {\n          __typename\n          ... on Biography { text keyThemes }\n          ... on BiographyNotReady { suggestion currentMemoryCount }\n        }\n      }\n    }\n  }\n": types.DemoViewerDocument,
    "\n  subscription DemoAsk($question: String!) {\n    ask(question: $question) {\n      token\n      answer { text summary sources { fileId name path } }\n    }\n  }\n": types.DemoAskDocument,
    "\n  mutation DemoUpload($file: File!) {\n    uploadFile(file: $file, path: \"/demo\") { id name path }\n  }\n": types.DemoUploadDocument,
    "\n  subscription DemoFileStatus($id: ID!) {\n    fileStatus(id: $id) { id name status }\n  }\n": types.DemoFileStatusDocument,
    "\n  subscription DemoEvents {\n    events { type content time }\n  }\n": types.DemoEventsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DemoViewer {\n    viewer {\n      name\n      profile {\n        basicInfo { name }\n        education { school major }\n        work { company title }\n      }\n      events(limit: 5) { type content time }\n      ... @defer {\n        biography(format: SHORT) {\n          __typename\n          ... on Biography { text keyThemes }\n          ... on BiographyNotReady { suggestion currentMemoryCount }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query DemoViewer {\n    viewer {\n      name\n      profile {\n        basicInfo { name }\n        education { school major }\n        work { company title }\n      }\n      events(limit: 5) { type content time }\n      ... @defer {\n        biography(format: SHORT) {\n          __typename\n          ... on Biography { text keyThemes }\n          ... on BiographyNotReady { suggestion currentMemoryCount }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DemoAsk($question: String!) {\n    ask(question: $question) {\n      token\n      answer { text summary sources { fileId name path } }\n    }\n  }\n"): (typeof documents)["\n  subscription DemoAsk($question: String!) {\n    ask(question: $question) {\n      token\n      answer { text summary sources { fileId name path } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DemoUpload($file: File!) {\n    uploadFile(file: $file, path: \"/demo\") { id name path }\n  }\n"): (typeof documents)["\n  mutation DemoUpload($file: File!) {\n    uploadFile(file: $file, path: \"/demo\") { id name path }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DemoFileStatus($id: ID!) {\n    fileStatus(id: $id) { id name status }\n  }\n"): (typeof documents)["\n  subscription DemoFileStatus($id: ID!) {\n    fileStatus(id: $id) { id name status }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DemoEvents {\n    events { type content time }\n  }\n"): (typeof documents)["\n  subscription DemoEvents {\n    events { type content time }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;