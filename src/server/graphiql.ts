/** What GraphiQL opens with: the full user view, and the development credentials when in use. */
import type { GraphiQLOptions } from 'graphql-yoga';

export const FULL_VIEW_QUERY = `# The full user view: everything memgate knows about the signed-in user.
# Service keys: replace viewer with user(name: "alex") and use the X-Api-Key header.
query FullView {
  viewer {
    name
    profile {
      basicInfo { name age nationality languageSpoken }
      education { school degree major }
      work { company title workSkills }
      interest { books music sports }
      attributes { category subtopic values }
    }
    events(limit: 5) { type content time happenedAt mentionedAt }
    biography(format: SHORT) {
      __typename
      ... on Biography { text keyThemes generatedAt }
      ... on BiographyNotReady { suggestion currentMemoryCount }
    }
    memories(query: "work", limit: 5) { id text categories type createdAt }
    searchFiles(query: "notes") { id name path mimeType createdAt }
  }
}
`;

export interface GraphiQLSetup {
  /** A development JWT for the seed user `default`, preset as the Authorization header. @default null (no header preset) */
  devToken?: string | null;
  /** The development service key, mentioned in the default query's comments. @default null (not mentioned) */
  devServiceKey?: string | null;
}

export function graphiqlOptions({ devToken, devServiceKey }: GraphiQLSetup): GraphiQLOptions {
  const header = devServiceKey
    ? `# Development credentials: this JWT is for user "default"; the service key is "${devServiceKey}"\n` +
      `# (send it as {"X-Api-Key": "${devServiceKey}"} and ask for user(name: "alex")).\n`
    : '';
  return {
    title: 'memgate',
    defaultQuery: header + FULL_VIEW_QUERY,
    ...(devToken ? { headers: JSON.stringify({ Authorization: `Bearer ${devToken}` }, null, 2) } : {}),
    shouldPersistHeaders: false,
  };
}
