/**
 * The memgate example page: sign in as a seed user, read the profile and recent events with the
 * biography deferred, ask a question and watch the answer stream, then see the files it drew on, upload a file and follow it to
 * COMPLETED while its events arrive. urql carries queries and mutations (GraphQL multipart for the
 * upload, incremental delivery for @defer), graphql-ws the subscriptions.
 */
import { Client, cacheExchange, fetchExchange, subscriptionExchange, type CombinedError } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { AskDocument, EventsDocument, FileStatusDocument, UploadDocument, ViewerDocument } from './operations.js';

const GRAPHQL = '/graphql';

const $ = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const field = (name: string) => $(`[data-field="${name}"]`);

/** Clients for one signed-in user: every request and the socket carry that user's JWT. */
function clientsFor(token: string): { client: Client; ws: WsClient } {
  const ws = createWsClient({
    url: new URL(GRAPHQL, location.href).toString().replace(/^http/, 'ws'),
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const client = new Client({
    url: GRAPHQL,
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, ws };
}

function showError(error: CombinedError | Error | undefined) {
  if (error) $('#error').textContent = error.message;
}

function addEvent(list: HTMLElement, event: { type: string; content: string; time: string }, first = false) {
  const item = document.createElement('li');
  item.textContent = `${event.time.slice(0, 10)} · ${event.type.toLowerCase()} · ${event.content}`;
  if (first) list.prepend(item);
  else list.append(item);
}

let session: { client: Client; ws: WsClient; stop: Array<() => void> } | undefined;

async function signIn(user: string) {
  if (session) {
    for (const stop of session.stop) stop();
    await session.ws.dispose();
  }
  // A development-only endpoint of `npm start` mints the JWT a real sign-in would return.
  const res = await fetch('/demo/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
  if (!res.ok) throw new Error(`Sign-in failed: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const { client, ws } = clientsFor(token);
  session = { client, ws, stop: [] };
  $('#who').textContent = `signed in as ${user}`;
  $('#signed-in').hidden = false;
  $('#error').textContent = '';
  $('#answer').textContent = '';
  $('#answer-summary').textContent = '';
  $('#answer-sources').replaceChildren();
  $('#file-status').textContent = 'none';
  field('profile').textContent = 'loading…';
  field('biography').textContent = 'loading…';
  field('events').replaceChildren();

  // One query; the deferred biography arrives as a second result on the same operation.
  const viewer = client.query(ViewerDocument, {}, { requestPolicy: 'network-only' }).subscribe((result) => {
    showError(result.error);
    const data = result.data?.viewer;
    if (!data) return;
    const p = data.profile;
    field('profile').textContent = p
      ? [p.basicInfo?.name, p.education?.school && `studies ${p.education.major ?? ''} at ${p.education.school}`, p.work?.company && `${p.work.title ?? 'works'} at ${p.work.company}`]
          .filter(Boolean)
          .join(' · ') || 'a profile with nothing in these fields yet'
      : 'no profile yet (no files processed)';
    const list = field('events');
    if (list.childElementCount === 0) for (const event of data.events ?? []) addEvent(list, event);
    const bio = data.biography;
    if (bio?.__typename === 'Biography') field('biography').textContent = `${bio.text} (${bio.keyThemes.join(', ')})`;
    else if (bio?.__typename === 'BiographyNotReady')
      field('biography').textContent = `BiographyNotReady: ${bio.suggestion} (${bio.currentMemoryCount ?? 0} memories so far)`;
  });
  const events = client.subscription(EventsDocument, {}).subscribe((result) => {
    showError(result.error);
    if (result.data) addEvent(field('events'), result.data.events, true);
  });
  session.stop.push(viewer.unsubscribe, events.unsubscribe);
}

function ask(question: string) {
  const answer = $('#answer');
  answer.textContent = '';
  answer.dataset['state'] = 'streaming';
  $('#answer-summary').textContent = 'streaming…';
  const sources = $('#answer-sources');
  sources.replaceChildren();
  const { unsubscribe } = session!.client.subscription(AskDocument, { question }).subscribe((result) => {
    showError(result.error);
    const chunk = result.data?.ask;
    if (!chunk) return;
    answer.textContent += chunk.token;
    if (chunk.answer) {
      $('#answer-summary').textContent = chunk.answer.summary ?? '';
      // The files the answer drew on come with the whole answer, on the last chunk (which urql
      // hands over again, with hasNext false, when the stream completes: replace, never append).
      sources.replaceChildren(
        ...chunk.answer.sources.map((source) => {
          const item = document.createElement('li');
          item.textContent = source.path || source.name || source.fileId;
          item.dataset['fileId'] = source.fileId;
          return item;
        }),
      );
      answer.dataset['state'] = 'done';
    }
  });
  session!.stop.push(unsubscribe);
}

async function upload(file: File) {
  const status = $('#file-status');
  status.textContent = 'uploading…';
  const result = await session!.client.mutation(UploadDocument, { file }).toPromise();
  showError(result.error);
  const uploaded = result.data?.uploadFile;
  if (!uploaded) return;
  const { unsubscribe } = session!.client.subscription(FileStatusDocument, { id: uploaded.id }).subscribe((update) => {
    showError(update.error);
    if (update.data) status.textContent = update.data.fileStatus.status;
  });
  session!.stop.push(unsubscribe);
}

$('#sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn($<HTMLSelectElement>('#user').value).catch(showError);
});
$('#ask-form').addEventListener('submit', (event) => {
  event.preventDefault();
  ask($<HTMLInputElement>('#question').value);
});
$('#upload-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const file = $<HTMLInputElement>('#file').files?.[0];
  if (file) upload(file).catch(showError);
});
