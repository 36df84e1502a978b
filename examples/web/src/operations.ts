/**
 * The operations of the example page, typed by `npm run codegen` (examples/web/src/gql/): each
 * document carries its result and variables types, so urql's results are typed end to end.
 */
import { graphql } from './gql/index.js';

/** The signed-in user: profile and recent events at once, the biography (MemSync, slower) deferred. */
export const ViewerDocument = graphql(`
  query DemoViewer {
    viewer {
      name
      profile {
        basicInfo { name }
        education { school major }
        work { company title }
      }
      events(limit: 5) { type content time }
      ... @defer {
        biography(format: SHORT) {
          __typename
          ... on Biography { text keyThemes }
          ... on BiographyNotReady { suggestion currentMemoryCount }
        }
      }
    }
  }
`);

/** Synvo's answer as it is written: a token per result, the whole answer with its sources on the last. */
export const AskDocument = graphql(`
  subscription DemoAsk($question: String!) {
    ask(question: $question) {
      token
      answer { text summary sources { fileId name path } }
    }
  }
`);

export const UploadDocument = graphql(`
  mutation DemoUpload($file: File!) {
    uploadFile(file: $file, path: "/demo") { id name path }
  }
`);

/** Each status of the uploaded file, the current one first, until COMPLETED or FAILED. */
export const FileStatusDocument = graphql(`
  subscription DemoFileStatus($id: ID!) {
    fileStatus(id: $id) { id name status }
  }
`);

/** The user's new events, live (from this page's uploads or anywhere else). */
export const EventsDocument = graphql(`
  subscription DemoEvents {
    events { type content time }
  }
`);
