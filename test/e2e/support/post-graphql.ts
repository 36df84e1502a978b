import { request, type Dispatcher } from 'undici';

/** One GraphQL POST over HTTP as a front-end sends it; the body as text and, when it parses, as JSON. */
export async function postGraphQL(url: string, dispatcher: Dispatcher, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}
