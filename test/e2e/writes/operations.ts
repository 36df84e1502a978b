/** The operations the write and live-update tests send, typed by GraphQL Code Generator (`npm run codegen`). */
import { graphql } from '../../gql/index.js';

export const UploadDocument = graphql(`
  mutation WritesUpload($file: File!, $user: String, $path: String) {
    uploadFile(file: $file, user: $user, path: $path) { id name path renamed size mimeType uploadedAt }
  }
`);

export const DeleteFileDocument = graphql(`
  mutation WritesDeleteFile($id: ID!, $user: String) { deleteFile(id: $id, user: $user) }
`);

export const StoreMemoriesDocument = graphql(`
  mutation WritesStoreMemories($messages: [MessageInput!]!, $user: String) {
    storeMemories(messages: $messages, user: $user) { count categories memories { text categories } }
  }
`);

export const RefreshBiographyDocument = graphql(`
  mutation WritesRefreshBiography($user: String) {
    refreshBiography(user: $user, format: SHORT) {
      __typename
      ... on Biography { text format generatedAt }
      ... on BiographyNotReady { suggestion }
    }
  }
`);

export const FileStatusDocument = graphql(`
  subscription WritesFileStatus($id: ID!, $user: String) { fileStatus(id: $id, user: $user) { id name status } }
`);

export const EventsSubscriptionDocument = graphql(`
  subscription WritesEvents($user: String) { events(user: $user) { type content happenedAt } }
`);

export const ProfileDocument = graphql(`
  query WritesProfile($user: String!) { user(name: $user) { profile { contactInfo { city } work { company } } } }
`);

export const EventsDocument = graphql(`
  query WritesEventsList($user: String!) { user(name: $user) { events(limit: 50) { content } } }
`);

export const SearchFilesDocument = graphql(`
  query WritesSearchFiles($user: String!, $q: String!) { user(name: $user) { searchFiles(query: $q) { id name } } }
`);

export const AskDocument = graphql(`
  query WritesAsk($user: String!, $q: String!) { user(name: $user) { ask(question: $q) { text } } }
`);

export const FileDocument = graphql(`
  query WritesFile($user: String!, $id: ID!) { user(name: $user) { file(id: $id) { id name status size } } }
`);

export const BiographyDocument = graphql(`
  query WritesBiography($user: String!) {
    user(name: $user) {
      biography(format: SHORT) {
        __typename
        ... on Biography { text sourceMemories generatedAt }
        ... on BiographyNotReady { currentMemoryCount }
      }
    }
  }
`);

export const MemoriesDocument = graphql(`
  query WritesMemories($user: String!, $q: String!) { user(name: $user) { memories(query: $q, limit: 20) { text } } }
`);

export const ViewerProfileDocument = graphql(`
  query WritesViewerProfile { viewer { profile { contactInfo { city } } } }
`);
