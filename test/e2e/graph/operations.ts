/** The operations the graph tests send, typed by GraphQL Code Generator (`npm run codegen`). */
import { graphql } from '../../gql/index.js';

export const FullViewDocument = graphql(`
  query FullView($name: String!) {
    user(name: $name) {
      name
      profile {
        basicInfo { name age languageSpoken }
        education { school degree major }
        work { company title workSkills }
        interest { books sports }
        psychological { values motivations }
        attributes { category subtopic values }
      }
      events(limit: 10) { type content happenedAt mentionedAt time }
      biography(format: SHORT) {
        __typename
        ... on Biography { text format style wordCount keyThemes categoriesIncluded generatedAt }
        ... on BiographyNotReady { suggestion currentMemoryCount }
      }
      memories(query: "study work", limit: 5) { id text categories type createdAt }
      searchFiles(query: "neural networks") { id name path mimeType createdAt }
      file(id: "f_default_wellfest") { id name path status size createdAt }
      ask(question: "Where do I study?") { text messageId sessionId createdAt }
    }
  }
`);

export const ViewerFullViewDocument = graphql(`
  query ViewerFullView {
    viewer {
      name
      profile { education { school major } attributes { category subtopic values } }
      events(limit: 10) { type content time }
      biography { __typename ... on Biography { text } ... on BiographyNotReady { suggestion currentMemoryCount } }
      memories(query: "study", limit: 5) { id text }
      searchFiles(query: "neural networks") { id name }
    }
  }
`);

export const ProfileOnlyDocument = graphql(`
  query ProfileOnly($name: String!) {
    user(name: $name) { name profile { education { school major } } }
  }
`);

export const AliasedFieldsDocument = graphql(`
  query AliasedFields($name: String!) {
    user(name: $name) {
      first: profile { education { school } }
      second: profile { attributes { category subtopic } }
      recent: events(limit: 3) { content }
      latest: events(limit: 3) { time }
      bioA: biography(format: SHORT) { __typename }
      bioB: biography(format: SHORT) { __typename }
    }
  }
`);

export const UsersProfilesDocument = graphql(`
  query UsersProfiles($names: [String!]!) {
    users(names: $names) { name profile { basicInfo { name } education { school } } }
  }
`);

export const EventsDocument = graphql(`
  query Events($name: String!, $limit: Int, $since: DateTime, $until: DateTime, $types: [EventType!]) {
    user(name: $name) { events(limit: $limit, since: $since, until: $until, types: $types) { type content time } }
  }
`);

export const MemoriesDocument = graphql(`
  query Memories($name: String!, $query: String!, $limit: Int, $categories: [MemoryCategory!]) {
    user(name: $name) { memories(query: $query, limit: $limit, categories: $categories) { id text categories } }
  }
`);

export const BiographyDocument = graphql(`
  query Biography($name: String!, $format: BiographyFormat, $style: BiographyStyle) {
    user(name: $name) {
      biography(format: $format, style: $style) {
        __typename
        ... on Biography { text format style sourceMemories expiresAt }
        ... on BiographyNotReady { suggestion currentMemoryCount }
      }
    }
  }
`);

export const ViewerNameDocument = graphql(`
  query ViewerName { viewer { name } }
`);

export const UserNameDocument = graphql(`
  query UserName($name: String!) { user(name: $name) { name } }
`);

export const SearchFilesDocument = graphql(`
  query SearchFiles($name: String!, $query: String!) { user(name: $name) { searchFiles(query: $query) { id name } } }
`);

export const FileDocument = graphql(`
  query File($name: String!, $id: ID!) { user(name: $name) { file(id: $id) { id name status size } } }
`);

export const AskDocument = graphql(`
  query Ask($name: String!, $question: String!) { user(name: $name) { ask(question: $question) { text messageId } } }
`);
