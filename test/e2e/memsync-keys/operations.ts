/** The operations of the per-user MemSync key tests, typed by GraphQL Code Generator (`npm run codegen`). */
import { graphql } from '../../gql/index.js';

export const ConnectMemSyncDocument = graphql(`
  mutation KeysConnect($apiKey: String!, $user: String) {
    connectMemSync(apiKey: $apiKey, user: $user) { connected connectedAt keyHint }
  }
`);

export const DisconnectMemSyncDocument = graphql(`
  mutation KeysDisconnect($user: String) {
    disconnectMemSync(user: $user) { connected connectedAt keyHint }
  }
`);

/** Every MemSync-backed field of a user, with the link state. */
export const MemSyncViewDocument = graphql(`
  query KeysMemSyncView($user: String!, $q: String!) {
    user(name: $user) {
      name
      memsync { connected connectedAt keyHint }
      biography {
        __typename
        ... on Biography { text sourceMemories }
        ... on BiographyNotReady { currentMemoryCount }
        ... on MemSyncNotConnected { message }
      }
      memories(query: $q, limit: 50) { id text threadId agentId source }
    }
  }
`);

export const ViewerMemSyncDocument = graphql(`
  query KeysViewer($q: String!) {
    viewer {
      name
      memsync { connected keyHint }
      biography { __typename ... on Biography { text } ... on MemSyncNotConnected { message } }
      memories(query: $q, limit: 50) { id text }
    }
  }
`);

export const StoreDocument = graphql(`
  mutation KeysStore($messages: [MessageInput!]!, $user: String, $threadId: String, $source: String) {
    storeMemories(messages: $messages, user: $user, threadId: $threadId, source: $source) { count memories { id text } }
  }
`);

export const RefreshDocument = graphql(`
  mutation KeysRefresh($user: String) {
    refreshBiography(user: $user) {
      __typename
      ... on Biography { text }
      ... on BiographyNotReady { currentMemoryCount }
      ... on MemSyncNotConnected { message }
    }
  }
`);
