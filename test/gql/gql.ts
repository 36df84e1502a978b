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
    "\n  query FullView($name: String!) {\n    user(name: $name) {\n      name\n      profile {\n        basicInfo { name age languageSpoken }\n        education { school degree major }\n        work { company title workSkills }\n        interest { books sports }\n        psychological { values motivations }\n        attributes { category subtopic values }\n      }\n      events(limit: 10) { type content happenedAt mentionedAt time }\n      biography(format: SHORT) {\n        __typename\n        ... on Biography { text format style wordCount keyThemes categoriesIncluded generatedAt }\n        ... on BiographyNotReady { suggestion currentMemoryCount }\n      }\n      memories(query: \"study work\", limit: 5) { id text categories type createdAt }\n      searchFiles(query: \"neural networks\") { id name path mimeType createdAt }\n      file(id: \"f_default_wellfest\") { id name path status size createdAt }\n      ask(question: \"Where do I study?\") { text messageId sessionId createdAt }\n    }\n  }\n": typeof types.FullViewDocument,
    "\n  query ViewerFullView {\n    viewer {\n      name\n      profile { education { school major } attributes { category subtopic values } }\n      events(limit: 10) { type content time }\n      biography { __typename ... on Biography { text } ... on BiographyNotReady { suggestion currentMemoryCount } }\n      memories(query: \"study\", limit: 5) { id text }\n      searchFiles(query: \"neural networks\") { id name }\n    }\n  }\n": typeof types.ViewerFullViewDocument,
    "\n  query ProfileOnly($name: String!) {\n    user(name: $name) { name profile { education { school major } } }\n  }\n": typeof types.ProfileOnlyDocument,
    "\n  query AliasedFields($name: String!) {\n    user(name: $name) {\n      first: profile { education { school } }\n      second: profile { attributes { category subtopic } }\n      recent: events(limit: 3) { content }\n      latest: events(limit: 3) { time }\n      bioA: biography(format: SHORT) { __typename }\n      bioB: biography(format: SHORT) { __typename }\n    }\n  }\n": typeof types.AliasedFieldsDocument,
    "\n  query UsersProfiles($names: [String!]!) {\n    users(names: $names) { name profile { basicInfo { name } education { school } } }\n  }\n": typeof types.UsersProfilesDocument,
    "\n  query Events($name: String!, $limit: Int, $since: DateTime, $until: DateTime, $types: [EventType!]) {\n    user(name: $name) { events(limit: $limit, since: $since, until: $until, types: $types) { type content time } }\n  }\n": typeof types.EventsDocument,
    "\n  query Memories($name: String!, $query: String!, $limit: Int, $categories: [MemoryCategory!]) {\n    user(name: $name) { memories(query: $query, limit: $limit, categories: $categories) { id text categories } }\n  }\n": typeof types.MemoriesDocument,
    "\n  query Biography($name: String!, $format: BiographyFormat, $style: BiographyStyle) {\n    user(name: $name) {\n      biography(format: $format, style: $style) {\n        __typename\n        ... on Biography { text format style sourceMemories expiresAt }\n        ... on BiographyNotReady { suggestion currentMemoryCount }\n      }\n    }\n  }\n": typeof types.BiographyDocument,
    "\n  query ViewerName { viewer { name } }\n": typeof types.ViewerNameDocument,
    "\n  query UserName($name: String!) { user(name: $name) { name } }\n": typeof types.UserNameDocument,
    "\n  query SearchFiles($name: String!, $query: String!) { user(name: $name) { searchFiles(query: $query) { id name } } }\n": typeof types.SearchFilesDocument,
    "\n  query File($name: String!, $id: ID!) { user(name: $name) { file(id: $id) { id name status size } } }\n": typeof types.FileDocument,
    "\n  query Ask($name: String!, $question: String!) { user(name: $name) { ask(question: $question) { text messageId } } }\n": typeof types.AskDocument,
    "\n  mutation KeysConnect($apiKey: String!, $user: String) {\n    connectMemSync(apiKey: $apiKey, user: $user) { connected connectedAt keyHint }\n  }\n": typeof types.KeysConnectDocument,
    "\n  mutation KeysDisconnect($user: String) {\n    disconnectMemSync(user: $user) { connected connectedAt keyHint }\n  }\n": typeof types.KeysDisconnectDocument,
    "\n  query KeysMemSyncView($user: String!, $q: String!) {\n    user(name: $user) {\n      name\n      memsync { connected connectedAt keyHint }\n      biography {\n        __typename\n        ... on Biography { text sourceMemories }\n        ... on BiographyNotReady { currentMemoryCount }\n        ... on MemSyncNotConnected { message }\n      }\n      memories(query: $q, limit: 50) { id text threadId agentId source }\n    }\n  }\n": typeof types.KeysMemSyncViewDocument,
    "\n  query KeysViewer($q: String!) {\n    viewer {\n      name\n      memsync { connected keyHint }\n      biography { __typename ... on Biography { text } ... on MemSyncNotConnected { message } }\n      memories(query: $q, limit: 50) { id text }\n    }\n  }\n": typeof types.KeysViewerDocument,
    "\n  mutation KeysStore($messages: [MessageInput!]!, $user: String, $threadId: String, $source: String) {\n    storeMemories(messages: $messages, user: $user, threadId: $threadId, source: $source) { count memories { id text } }\n  }\n": typeof types.KeysStoreDocument,
    "\n  mutation KeysRefresh($user: String) {\n    refreshBiography(user: $user) {\n      __typename\n      ... on Biography { text }\n      ... on BiographyNotReady { currentMemoryCount }\n      ... on MemSyncNotConnected { message }\n    }\n  }\n": typeof types.KeysRefreshDocument,
    "\n  mutation WritesUpload($file: File!, $user: String, $path: String) {\n    uploadFile(file: $file, user: $user, path: $path) { id name path renamed size mimeType uploadedAt }\n  }\n": typeof types.WritesUploadDocument,
    "\n  mutation WritesDeleteFile($id: ID!, $user: String) { deleteFile(id: $id, user: $user) }\n": typeof types.WritesDeleteFileDocument,
    "\n  mutation WritesStoreMemories($messages: [MessageInput!]!, $user: String) {\n    storeMemories(messages: $messages, user: $user) { count categories memories { text categories } }\n  }\n": typeof types.WritesStoreMemoriesDocument,
    "\n  mutation WritesRefreshBiography($user: String) {\n    refreshBiography(user: $user, format: SHORT) {\n      __typename\n      ... on Biography { text format generatedAt }\n      ... on BiographyNotReady { suggestion }\n    }\n  }\n": typeof types.WritesRefreshBiographyDocument,
    "\n  subscription WritesFileStatus($id: ID!, $user: String) { fileStatus(id: $id, user: $user) { id name status } }\n": typeof types.WritesFileStatusDocument,
    "\n  subscription WritesEvents($user: String) { events(user: $user) { type content happenedAt } }\n": typeof types.WritesEventsDocument,
    "\n  query WritesProfile($user: String!) { user(name: $user) { profile { contactInfo { city } work { company } } } }\n": typeof types.WritesProfileDocument,
    "\n  query WritesEventsList($user: String!) { user(name: $user) { events(limit: 50) { content } } }\n": typeof types.WritesEventsListDocument,
    "\n  query WritesSearchFiles($user: String!, $q: String!) { user(name: $user) { searchFiles(query: $q) { id name } } }\n": typeof types.WritesSearchFilesDocument,
    "\n  query WritesAsk($user: String!, $q: String!) { user(name: $user) { ask(question: $q) { text } } }\n": typeof types.WritesAskDocument,
    "\n  query WritesFile($user: String!, $id: ID!) { user(name: $user) { file(id: $id) { id name status size } } }\n": typeof types.WritesFileDocument,
    "\n  query WritesBiography($user: String!) {\n    user(name: $user) {\n      biography(format: SHORT) {\n        __typename\n        ... on Biography { text sourceMemories generatedAt }\n        ... on BiographyNotReady { currentMemoryCount }\n      }\n    }\n  }\n": typeof types.WritesBiographyDocument,
    "\n  query WritesMemories($user: String!, $q: String!) { user(name: $user) { memories(query: $q, limit: 20) { text } } }\n": typeof types.WritesMemoriesDocument,
    "\n  query WritesViewerProfile { viewer { profile { contactInfo { city } } } }\n": typeof types.WritesViewerProfileDocument,
};
const documents: Documents = {
    "\n  query FullView($name: String!) {\n    user(name: $name) {\n      name\n      profile {\n        basicInfo { name age languageSpoken }\n        education { school degree major }\n        work { company title workSkills }\n        interest { books sports }\n        psychological { values motivations }\n        attributes { category subtopic values }\n      }\n      events(limit: 10) { type content happenedAt mentionedAt time }\n      biography(format: SHORT) {\n        __typename\n        ... on Biography { text format style wordCount keyThemes categoriesIncluded generatedAt }\n        ... on BiographyNotReady { suggestion currentMemoryCount }\n      }\n      memories(query: \"study work\", limit: 5) { id text categories type createdAt }\n      searchFiles(query: \"neural networks\") { id name path mimeType createdAt }\n      file(id: \"f_default_wellfest\") { id name path status size createdAt }\n      ask(question: \"Where do I study?\") { text messageId sessionId createdAt }\n    }\n  }\n": types.FullViewDocument,
    "\n  query ViewerFullView {\n    viewer {\n      name\n      profile { education { school major } attributes { category subtopic values } }\n      events(limit: 10) { type content time }\n      biography { __typename ... on Biography { text } ... on BiographyNotReady { suggestion currentMemoryCount } }\n      memories(query: \"study\", limit: 5) { id text }\n      searchFiles(query: \"neural networks\") { id name }\n    }\n  }\n": types.ViewerFullViewDocument,
    "\n  query ProfileOnly($name: String!) {\n    user(name: $name) { name profile { education { school major } } }\n  }\n": types.ProfileOnlyDocument,
    "\n  query AliasedFields($name: String!) {\n    user(name: $name) {\n      first: profile { education { school } }\n      second: profile { attributes { category subtopic } }\n      recent: events(limit: 3) { content }\n      latest: events(limit: 3) { time }\n      bioA: biography(format: SHORT) { __typename }\n      bioB: biography(format: SHORT) { __typename }\n    }\n  }\n": types.AliasedFieldsDocument,
    "\n  query UsersProfiles($names: [String!]!) {\n    users(names: $names) { name profile { basicInfo { name } education { school } } }\n  }\n": types.UsersProfilesDocument,
    "\n  query Events($name: String!, $limit: Int, $since: DateTime, $until: DateTime, $types: [EventType!]) {\n    user(name: $name) { events(limit: $limit, since: $since, until: $until, types: $types) { type content time } }\n  }\n": types.EventsDocument,
    "\n  query Memories($name: String!, $query: String!, $limit: Int, $categories: [MemoryCategory!]) {\n    user(name: $name) { memories(query: $query, limit: $limit, categories: $categories) { id text categories } }\n  }\n": types.MemoriesDocument,
    "\n  query Biography($name: String!, $format: BiographyFormat, $style: BiographyStyle) {\n    user(name: $name) {\n      biography(format: $format, style: $style) {\n        __typename\n        ... on Biography { text format style sourceMemories expiresAt }\n        ... on BiographyNotReady { suggestion currentMemoryCount }\n      }\n    }\n  }\n": types.BiographyDocument,
    "\n  query ViewerName { viewer { name } }\n": types.ViewerNameDocument,
    "\n  query UserName($name: String!) { user(name: $name) { name } }\n": types.UserNameDocument,
    "\n  query SearchFiles($name: String!, $query: String!) { user(name: $name) { searchFiles(query: $query) { id name } } }\n": types.SearchFilesDocument,
    "\n  query File($name: String!, $id: ID!) { user(name: $name) { file(id: $id) { id name status size } } }\n": types.FileDocument,
    "\n  query Ask($name: String!, $question: String!) { user(name: $name) { ask(question: $question) { text messageId } } }\n": types.AskDocument,
    "\n  mutation KeysConnect($apiKey: String!, $user: String) {\n    connectMemSync(apiKey: $apiKey, user: $user) { connected connectedAt keyHint }\n  }\n": types.KeysConnectDocument,
    "\n  mutation KeysDisconnect($user: String) {\n    disconnectMemSync(user: $user) { connected connectedAt keyHint }\n  }\n": types.KeysDisconnectDocument,
    "\n  query KeysMemSyncView($user: String!, $q: String!) {\n    user(name: $user) {\n      name\n      memsync { connected connectedAt keyHint }\n      biography {\n        __typename\n        ... on Biography { text sourceMemories }\n        ... on BiographyNotReady { currentMemoryCount }\n        ... on MemSyncNotConnected { message }\n      }\n      memories(query: $q, limit: 50) { id text threadId agentId source }\n    }\n  }\n": types.KeysMemSyncViewDocument,
    "\n  query KeysViewer($q: String!) {\n    viewer {\n      name\n      memsync { connected keyHint }\n      biography { __typename ... on Biography { text } ... on MemSyncNotConnected { message } }\n      memories(query: $q, limit: 50) { id text }\n    }\n  }\n": types.KeysViewerDocument,
    "\n  mutation KeysStore($messages: [MessageInput!]!, $user: String, $threadId: String, $source: String) {\n    storeMemories(messages: $messages, user: $user, threadId: $threadId, source: $source) { count memories { id text } }\n  }\n": types.KeysStoreDocument,
    "\n  mutation KeysRefresh($user: String) {\n    refreshBiography(user: $user) {\n      __typename\n      ... on Biography { text }\n      ... on BiographyNotReady { currentMemoryCount }\n      ... on MemSyncNotConnected { message }\n    }\n  }\n": types.KeysRefreshDocument,
    "\n  mutation WritesUpload($file: File!, $user: String, $path: String) {\n    uploadFile(file: $file, user: $user, path: $path) { id name path renamed size mimeType uploadedAt }\n  }\n": types.WritesUploadDocument,
    "\n  mutation WritesDeleteFile($id: ID!, $user: String) { deleteFile(id: $id, user: $user) }\n": types.WritesDeleteFileDocument,
    "\n  mutation WritesStoreMemories($messages: [MessageInput!]!, $user: String) {\n    storeMemories(messages: $messages, user: $user) { count categories memories { text categories } }\n  }\n": types.WritesStoreMemoriesDocument,
    "\n  mutation WritesRefreshBiography($user: String) {\n    refreshBiography(user: $user, format: SHORT) {\n      __typename\n      ... on Biography { text format generatedAt }\n      ... on BiographyNotReady { suggestion }\n    }\n  }\n": types.WritesRefreshBiographyDocument,
    "\n  subscription WritesFileStatus($id: ID!, $user: String) { fileStatus(id: $id, user: $user) { id name status } }\n": types.WritesFileStatusDocument,
    "\n  subscription WritesEvents($user: String) { events(user: $user) { type content happenedAt } }\n": types.WritesEventsDocument,
    "\n  query WritesProfile($user: String!) { user(name: $user) { profile { contactInfo { city } work { company } } } }\n": types.WritesProfileDocument,
    "\n  query WritesEventsList($user: String!) { user(name: $user) { events(limit: 50) { content } } }\n": types.WritesEventsListDocument,
    "\n  query WritesSearchFiles($user: String!, $q: String!) { user(name: $user) { searchFiles(query: $q) { id name } } }\n": types.WritesSearchFilesDocument,
    "\n  query WritesAsk($user: String!, $q: String!) { user(name: $user) { ask(question: $q) { text } } }\n": types.WritesAskDocument,
    "\n  query WritesFile($user: String!, $id: ID!) { user(name: $user) { file(id: $id) { id name status size } } }\n": types.WritesFileDocument,
    "\n  query WritesBiography($user: String!) {\n    user(name: $user) {\n      biography(format: SHORT) {\n        __typename\n        ... on Biography { text sourceMemories generatedAt }\n        ... on BiographyNotReady { currentMemoryCount }\n      }\n    }\n  }\n": types.WritesBiographyDocument,
    "\n  query WritesMemories($user: String!, $q: String!) { user(name: $user) { memories(query: $q, limit: 20) { text } } }\n": types.WritesMemoriesDocument,
    "\n  query WritesViewerProfile { viewer { profile { contactInfo { city } } } }\n": types.WritesViewerProfileDocument,
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
export function graphql(source: "\n  query FullView($name: String!) {\n    user(name: $name) {\n      name\n      profile {\n        basicInfo { name age languageSpoken }\n        education { school degree major }\n        work { company title workSkills }\n        interest { books sports }\n        psychological { values motivations }\n        attributes { category subtopic values }\n      }\n      events(limit: 10) { type content happenedAt mentionedAt time }\n      biography(format: SHORT) {\n        __typename\n        ... on Biography { text format style wordCount keyThemes categoriesIncluded generatedAt }\n        ... on BiographyNotReady { suggestion currentMemoryCount }\n      }\n      memories(query: \"study work\", limit: 5) { id text categories type createdAt }\n      searchFiles(query: \"neural networks\") { id name path mimeType createdAt }\n      file(id: \"f_default_wellfest\") { id name path status size createdAt }\n      ask(question: \"Where do I study?\") { text messageId sessionId createdAt }\n    }\n  }\n"): (typeof documents)["\n  query FullView($name: String!) {\n    user(name: $name) {\n      name\n      profile {\n        basicInfo { name age languageSpoken }\n        education { school degree major }\n        work { company title workSkills }\n        interest { books sports }\n        psychological { values motivations }\n        attributes { category subtopic values }\n      }\n      events(limit: 10) { type content happenedAt mentionedAt time }\n      biography(format: SHORT) {\n        __typename\n        ... on Biography { text format style wordCount keyThemes categoriesIncluded generatedAt }\n        ... on BiographyNotReady { suggestion currentMemoryCount }\n      }\n      memories(query: \"study work\", limit: 5) { id text categories type createdAt }\n      searchFiles(query: \"neural networks\") { id name path mimeType createdAt }\n      file(id: \"f_default_wellfest\") { id name path status size createdAt }\n      ask(question: \"Where do I study?\") { text messageId sessionId createdAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerFullView {\n    viewer {\n      name\n      profile { education { school major } attributes { category subtopic values } }\n      events(limit: 10) { type content time }\n      biography { __typename ... on Biography { text } ... on BiographyNotReady { suggestion currentMemoryCount } }\n      memories(query: \"study\", limit: 5) { id text }\n      searchFiles(query: \"neural networks\") { id name }\n    }\n  }\n"): (typeof documents)["\n  query ViewerFullView {\n    viewer {\n      name\n      profile { education { school major } attributes { category subtopic values } }\n      events(limit: 10) { type content time }\n      biography { __typename ... on Biography { text } ... on BiographyNotReady { suggestion currentMemoryCount } }\n      memories(query: \"study\", limit: 5) { id text }\n      searchFiles(query: \"neural networks\") { id name }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProfileOnly($name: String!) {\n    user(name: $name) { name profile { education { school major } } }\n  }\n"): (typeof documents)["\n  query ProfileOnly($name: String!) {\n    user(name: $name) { name profile { education { school major } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AliasedFields($name: String!) {\n    user(name: $name) {\n      first: profile { education { school } }\n      second: profile { attributes { category subtopic } }\n      recent: events(limit: 3) { content }\n      latest: events(limit: 3) { time }\n      bioA: biography(format: SHORT) { __typename }\n      bioB: biography(format: SHORT) { __typename }\n    }\n  }\n"): (typeof documents)["\n  query AliasedFields($name: String!) {\n    user(name: $name) {\n      first: profile { education { school } }\n      second: profile { attributes { category subtopic } }\n      recent: events(limit: 3) { content }\n      latest: events(limit: 3) { time }\n      bioA: biography(format: SHORT) { __typename }\n      bioB: biography(format: SHORT) { __typename }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsersProfiles($names: [String!]!) {\n    users(names: $names) { name profile { basicInfo { name } education { school } } }\n  }\n"): (typeof documents)["\n  query UsersProfiles($names: [String!]!) {\n    users(names: $names) { name profile { basicInfo { name } education { school } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Events($name: String!, $limit: Int, $since: DateTime, $until: DateTime, $types: [EventType!]) {\n    user(name: $name) { events(limit: $limit, since: $since, until: $until, types: $types) { type content time } }\n  }\n"): (typeof documents)["\n  query Events($name: String!, $limit: Int, $since: DateTime, $until: DateTime, $types: [EventType!]) {\n    user(name: $name) { events(limit: $limit, since: $since, until: $until, types: $types) { type content time } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Memories($name: String!, $query: String!, $limit: Int, $categories: [MemoryCategory!]) {\n    user(name: $name) { memories(query: $query, limit: $limit, categories: $categories) { id text categories } }\n  }\n"): (typeof documents)["\n  query Memories($name: String!, $query: String!, $limit: Int, $categories: [MemoryCategory!]) {\n    user(name: $name) { memories(query: $query, limit: $limit, categories: $categories) { id text categories } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Biography($name: String!, $format: BiographyFormat, $style: BiographyStyle) {\n    user(name: $name) {\n      biography(format: $format, style: $style) {\n        __typename\n        ... on Biography { text format style sourceMemories expiresAt }\n        ... on BiographyNotReady { suggestion currentMemoryCount }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Biography($name: String!, $format: BiographyFormat, $style: BiographyStyle) {\n    user(name: $name) {\n      biography(format: $format, style: $style) {\n        __typename\n        ... on Biography { text format style sourceMemories expiresAt }\n        ... on BiographyNotReady { suggestion currentMemoryCount }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerName { viewer { name } }\n"): (typeof documents)["\n  query ViewerName { viewer { name } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserName($name: String!) { user(name: $name) { name } }\n"): (typeof documents)["\n  query UserName($name: String!) { user(name: $name) { name } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchFiles($name: String!, $query: String!) { user(name: $name) { searchFiles(query: $query) { id name } } }\n"): (typeof documents)["\n  query SearchFiles($name: String!, $query: String!) { user(name: $name) { searchFiles(query: $query) { id name } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query File($name: String!, $id: ID!) { user(name: $name) { file(id: $id) { id name status size } } }\n"): (typeof documents)["\n  query File($name: String!, $id: ID!) { user(name: $name) { file(id: $id) { id name status size } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Ask($name: String!, $question: String!) { user(name: $name) { ask(question: $question) { text messageId } } }\n"): (typeof documents)["\n  query Ask($name: String!, $question: String!) { user(name: $name) { ask(question: $question) { text messageId } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation KeysConnect($apiKey: String!, $user: String) {\n    connectMemSync(apiKey: $apiKey, user: $user) { connected connectedAt keyHint }\n  }\n"): (typeof documents)["\n  mutation KeysConnect($apiKey: String!, $user: String) {\n    connectMemSync(apiKey: $apiKey, user: $user) { connected connectedAt keyHint }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation KeysDisconnect($user: String) {\n    disconnectMemSync(user: $user) { connected connectedAt keyHint }\n  }\n"): (typeof documents)["\n  mutation KeysDisconnect($user: String) {\n    disconnectMemSync(user: $user) { connected connectedAt keyHint }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KeysMemSyncView($user: String!, $q: String!) {\n    user(name: $user) {\n      name\n      memsync { connected connectedAt keyHint }\n      biography {\n        __typename\n        ... on Biography { text sourceMemories }\n        ... on BiographyNotReady { currentMemoryCount }\n        ... on MemSyncNotConnected { message }\n      }\n      memories(query: $q, limit: 50) { id text threadId agentId source }\n    }\n  }\n"): (typeof documents)["\n  query KeysMemSyncView($user: String!, $q: String!) {\n    user(name: $user) {\n      name\n      memsync { connected connectedAt keyHint }\n      biography {\n        __typename\n        ... on Biography { text sourceMemories }\n        ... on BiographyNotReady { currentMemoryCount }\n        ... on MemSyncNotConnected { message }\n      }\n      memories(query: $q, limit: 50) { id text threadId agentId source }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KeysViewer($q: String!) {\n    viewer {\n      name\n      memsync { connected keyHint }\n      biography { __typename ... on Biography { text } ... on MemSyncNotConnected { message } }\n      memories(query: $q, limit: 50) { id text }\n    }\n  }\n"): (typeof documents)["\n  query KeysViewer($q: String!) {\n    viewer {\n      name\n      memsync { connected keyHint }\n      biography { __typename ... on Biography { text } ... on MemSyncNotConnected { message } }\n      memories(query: $q, limit: 50) { id text }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation KeysStore($messages: [MessageInput!]!, $user: String, $threadId: String, $source: String) {\n    storeMemories(messages: $messages, user: $user, threadId: $threadId, source: $source) { count memories { id text } }\n  }\n"): (typeof documents)["\n  mutation KeysStore($messages: [MessageInput!]!, $user: String, $threadId: String, $source: String) {\n    storeMemories(messages: $messages, user: $user, threadId: $threadId, source: $source) { count memories { id text } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation KeysRefresh($user: String) {\n    refreshBiography(user: $user) {\n      __typename\n      ... on Biography { text }\n      ... on BiographyNotReady { currentMemoryCount }\n      ... on MemSyncNotConnected { message }\n    }\n  }\n"): (typeof documents)["\n  mutation KeysRefresh($user: String) {\n    refreshBiography(user: $user) {\n      __typename\n      ... on Biography { text }\n      ... on BiographyNotReady { currentMemoryCount }\n      ... on MemSyncNotConnected { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WritesUpload($file: File!, $user: String, $path: String) {\n    uploadFile(file: $file, user: $user, path: $path) { id name path renamed size mimeType uploadedAt }\n  }\n"): (typeof documents)["\n  mutation WritesUpload($file: File!, $user: String, $path: String) {\n    uploadFile(file: $file, user: $user, path: $path) { id name path renamed size mimeType uploadedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WritesDeleteFile($id: ID!, $user: String) { deleteFile(id: $id, user: $user) }\n"): (typeof documents)["\n  mutation WritesDeleteFile($id: ID!, $user: String) { deleteFile(id: $id, user: $user) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WritesStoreMemories($messages: [MessageInput!]!, $user: String) {\n    storeMemories(messages: $messages, user: $user) { count categories memories { text categories } }\n  }\n"): (typeof documents)["\n  mutation WritesStoreMemories($messages: [MessageInput!]!, $user: String) {\n    storeMemories(messages: $messages, user: $user) { count categories memories { text categories } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WritesRefreshBiography($user: String) {\n    refreshBiography(user: $user, format: SHORT) {\n      __typename\n      ... on Biography { text format generatedAt }\n      ... on BiographyNotReady { suggestion }\n    }\n  }\n"): (typeof documents)["\n  mutation WritesRefreshBiography($user: String) {\n    refreshBiography(user: $user, format: SHORT) {\n      __typename\n      ... on Biography { text format generatedAt }\n      ... on BiographyNotReady { suggestion }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WritesFileStatus($id: ID!, $user: String) { fileStatus(id: $id, user: $user) { id name status } }\n"): (typeof documents)["\n  subscription WritesFileStatus($id: ID!, $user: String) { fileStatus(id: $id, user: $user) { id name status } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WritesEvents($user: String) { events(user: $user) { type content happenedAt } }\n"): (typeof documents)["\n  subscription WritesEvents($user: String) { events(user: $user) { type content happenedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WritesProfile($user: String!) { user(name: $user) { profile { contactInfo { city } work { company } } } }\n"): (typeof documents)["\n  query WritesProfile($user: String!) { user(name: $user) { profile { contactInfo { city } work { company } } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WritesEventsList($user: String!) { user(name: $user) { events(limit: 50) { content } } }\n"): (typeof documents)["\n  query WritesEventsList($user: String!) { user(name: $user) { events(limit: 50) { content } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WritesSearchFiles($user: String!, $q: String!) { user(name: $user) { searchFiles(query: $q) { id name } } }\n"): (typeof documents)["\n  query WritesSearchFiles($user: String!, $q: String!) { user(name: $user) { searchFiles(query: $q) { id name } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WritesAsk($user: String!, $q: String!) { user(name: $user) { ask(question: $q) { text } } }\n"): (typeof documents)["\n  query WritesAsk($user: String!, $q: String!) { user(name: $user) { ask(question: $q) { text } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WritesFile($user: String!, $id: ID!) { user(name: $user) { file(id: $id) { id name status size } } }\n"): (typeof documents)["\n  query WritesFile($user: String!, $id: ID!) { user(name: $user) { file(id: $id) { id name status size } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WritesBiography($user: String!) {\n    user(name: $user) {\n      biography(format: SHORT) {\n        __typename\n        ... on Biography { text sourceMemories generatedAt }\n        ... on BiographyNotReady { currentMemoryCount }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WritesBiography($user: String!) {\n    user(name: $user) {\n      biography(format: SHORT) {\n        __typename\n        ... on Biography { text sourceMemories generatedAt }\n        ... on BiographyNotReady { currentMemoryCount }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WritesMemories($user: String!, $q: String!) { user(name: $user) { memories(query: $q, limit: 20) { text } } }\n"): (typeof documents)["\n  query WritesMemories($user: String!, $q: String!) { user(name: $user) { memories(query: $q, limit: 20) { text } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WritesViewerProfile { viewer { profile { contactInfo { city } } } }\n"): (typeof documents)["\n  query WritesViewerProfile { viewer { profile { contactInfo { city } } } }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;