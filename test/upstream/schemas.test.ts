import { describe, expect, it } from 'vitest';
import { readBio, readMemorySearch, readStoredMemories } from '../../src/upstream/memsync/schemas.js';
import { readUtcDate } from '../../src/upstream/response-schema.js';
import { readAnswer } from '../../src/upstream/synvo/schemas/answer.js';
import { readEvents } from '../../src/upstream/synvo/schemas/events.js';
import { readFileList, readFileStatus } from '../../src/upstream/synvo/schemas/files.js';
import { readProfile } from '../../src/upstream/synvo/schemas/profile.js';
import { USER_NAME, isValidFileId, isValidUserName } from '../../src/upstream/vocabulary.js';

const attr = (category: string, subtopic: string, values: string[]) => ({ category, subtopic, values });

describe('Synvo profile', () => {
  it('reads the documented shape with sub_topics and value', () => {
    const profile = readProfile({ education: { sub_topics: { school: { value: 'NTU' }, major: { value: 'Artificial Intelligence' } } } });
    expect(profile.attributes).toEqual([attr('education', 'school', ['NTU']), attr('education', 'major', ['Artificial Intelligence'])]);
  });

  it('reads the alternate shape of plain strings and string arrays', () => {
    const profile = readProfile({ interest: { books: ['Dune', 'Emma'], music: 'jazz' } });
    expect(profile.attributes).toEqual([attr('interest', 'books', ['Dune', 'Emma']), attr('interest', 'music', ['jazz'])]);
  });

  it('lower-cases category and subtopic keys and merges keys that differ only by case', () => {
    const profile = readProfile({ Basic_Info: { sub_topics: { Name: { value: 'Ana' }, name: { value: 'Ana' }, Age: { value: 21 } } } });
    expect(profile.attributes).toEqual([attr('basic_info', 'name', ['Ana']), attr('basic_info', 'age', ['21'])]);
  });

  it('keeps unknown categories and subtopics', () => {
    const profile = readProfile({ hobbies: { sub_topics: { knitting: { value: 'socks' } } }, work: { favourite_tool: 'vim' } });
    expect(profile.attributes).toEqual([attr('hobbies', 'knitting', ['socks']), attr('work', 'favourite_tool', ['vim'])]);
  });

  it('drops subtopics without evidence (null or empty)', () => {
    expect(readProfile({ work: { company: null, title: '', skills: [] } }).attributes).toEqual([]);
  });

  it('names the wrong field of a profile that does not fit', () => {
    expect(() => readProfile({ education: { sub_topics: { school: { value: { nested: true } } } } })).toThrow('education.sub_topics.school.value: expected string, string[] or null');
    expect(() => readProfile({ education: 'NTU' })).toThrow('education: expected object, received string');
    expect(() => readProfile({ work: { title: { nested: true } } })).toThrow('work.title: expected string, string[] or null, received object');
  });
});

describe('Synvo events', () => {
  const event = (content: string, happen: string | null, mention: string) => ({ event_type: 'Personal', content, happen_time: happen, mention_time: mention });

  it('reads the array shape with zone-less times as UTC', () => {
    const [e] = readEvents([event('a', '2025-11-16T00:00:00', '2025-11-16T15:29:18.344000')]);
    expect(e).toEqual({ type: 'personal', content: 'a', happenTime: new Date('2025-11-16T00:00:00Z'), mentionTime: new Date('2025-11-16T15:29:18.344Z') });
  });

  it('reads the {total_count, events} shape the same way', () => {
    const body = [event('a', null, '2025-11-16T15:29:18')];
    expect(readEvents({ total_count: 1, events: body })).toEqual(readEvents(body));
  });

  it('orders events chronologically by happen time, or mention time when there is none', () => {
    const events = readEvents([event('late', null, '2025-11-17T00:00:00'), event('early', '2025-11-01T00:00:00', '2025-11-18T00:00:00')]);
    expect(events.map((e) => e.content)).toEqual(['early', 'late']);
  });

  it('names the wrong field in either shape', () => {
    const body = [event('a', null, '2025-11-16T00:00:00'), event('b', null, '2025-11-16T00:00:00'), { ...event('c', null, ''), mention_time: 17 }];
    expect(() => readEvents(body)).toThrow('events[2].mention_time: expected string, received number');
    expect(() => readEvents({ total_count: 3, events: body })).toThrow('events[2].mention_time: expected string, received number');
    expect(() => readEvents([{ ...event('a', null, 'yesterday') }])).toThrow('events[0].mention_time: expected an ISO 8601 time');
    expect(() => readEvents([{ content: 'x', mention_time: '2025-11-16T00:00:00' }])).toThrow('events[0].event_type: required string, missing');
  });
});

describe('Synvo answers and files', () => {
  it('joins the text parts of an answer and reads its ids and times', () => {
    const answer = readAnswer({
      success: true,
      response: { role: 'assistant', content: [{ type: 'text', text: 'Par' }, { type: 'image', url: 'x' }, { type: 'text', text: 'is' }], cuid: 'msg_1', created_at: '2024-01-15T10:30:00Z' },
      suid: 'sess_1',
      summary: 'capital',
      timestamp: '2024-01-15T10:30:01Z',
    });
    expect(answer).toEqual({ text: 'Paris', sources: [], role: 'assistant', messageId: 'msg_1', sessionId: 'sess_1', summary: 'capital', createdAt: new Date('2024-01-15T10:30:00Z'), timestamp: new Date('2024-01-15T10:30:01Z') });
  });

  it('keeps searched_files and file content parts as sources, each file once, names taken from paths when missing', () => {
    const answer = readAnswer({
      response: {
        content: [{ type: 'text', text: 'See the notes.' }, { type: 'file', file_id: 'f2', path: '/b/two.md' }, { type: 'file', file_id: 'f1' }],
        cuid: 'msg_1',
        searched_files: [{ file_id: 'f1', file_name: 'one.txt', file_path: '/a/one.txt' }, { file_id: 'f3', file_path: '/c/three.pdf' }],
      },
    });
    expect(answer.sources).toEqual([
      { fileId: 'f1', name: 'one.txt', path: '/a/one.txt' },
      { fileId: 'f3', name: 'three.pdf', path: '/c/three.pdf' },
      { fileId: 'f2', name: 'two.md', path: '/b/two.md' },
    ]);
    expect(() => readAnswer({ response: { content: [], searched_files: [{ file_name: 'x' }] } })).toThrow('response.searched_files[0].file_id');
  });

  it('names a missing answer content', () => {
    expect(() => readAnswer({ response: { role: 'assistant' }, suid: 's' })).toThrow('response.content');
  });

  it('upper-cases file statuses and reads an in-progress synonym as PENDING', () => {
    expect(readFileStatus({ file_id: 'f1', status: 'completed' })).toEqual({ fileId: 'f1', status: 'COMPLETED' });
    expect(readFileStatus({ file_id: 'f1', status: 'processing' }).status).toBe('PENDING');
    expect(() => readFileStatus({ file_id: 'f1', status: 'EXPLODED' })).toThrow('status: expected one of');
  });

  it('reads file list entries, directories without ids', () => {
    const entries = readFileList({ items: [{ is_dir: true, name: 'docs', path: '/docs' }, { is_dir: false, name: 'a.txt', path: '/docs/a.txt', file_id: 'f1', size: 3, status: 'COMPLETED', created_at: '2024-01-15T10:30:00Z' }], tree: {}, version: 1 });
    expect(entries).toEqual([
      { isDir: true, name: 'docs', path: '/docs', fileId: null, size: null, status: null, createdAt: null },
      { isDir: false, name: 'a.txt', path: '/docs/a.txt', fileId: 'f1', size: 3, status: 'COMPLETED', createdAt: new Date('2024-01-15T10:30:00Z') },
    ]);
  });
});

describe('MemSync', () => {
  const memory = { id: 'm1', memory: 'Works at Acme', categories: ['Career'], type: 'semantic', vector_distance: 0.2, created_at: '2024-01-15T10:30:00Z' };

  it('reads a bio', () => {
    const bio = readBio({ bio: 'Hi', format: 'full', style: 'narrative', word_count: 1, character_count: 2, confidence: 0.9, source_memories: 5, categories_included: ['career'], key_themes: ['AI'], generated_at: '2024-01-15T16:30:00Z', expires_at: '2024-01-22T16:30:00Z' });
    expect(bio).toMatchObject({ text: 'Hi', wordCount: 1, sourceMemories: 5, generatedAt: new Date('2024-01-15T16:30:00Z') });
  });

  it('names the wrong field of a bio', () => {
    expect(() => readBio({ bio: 'Hi', format: 'full' })).toThrow('style: required string, missing');
  });

  it('reads memories with absent optional fields as null', () => {
    const result = readMemorySearch({ user_bio: null, memories: [memory] });
    expect(result).toEqual({
      userBio: null,
      memories: [{ id: 'm1', text: 'Works at Acme', categories: ['career'], type: 'semantic', vectorDistance: 0.2, rerankScore: null, source: null, agentId: null, threadId: null, createdAt: new Date('2024-01-15T10:30:00Z'), updatedAt: null }],
    });
  });

  it('reads a store result', () => {
    expect(readStoredMemories({ success: true, memories_created: 1, processing_time: '1.8s', categories_detected: ['career'], memories: [memory] })).toMatchObject({ memoriesCreated: 1, processingTime: '1.8s', categoriesDetected: ['career'] });
  });
});

describe('input rules', () => {
  it('accepts user names of 1 to 128 characters of A-Z a-z 0-9 . _ @ -', () => {
    for (const name of ['a', 'alex', 'Ana.Maria_01@example-co', 'x'.repeat(128)]) expect(isValidUserName(name)).toBe(true);
    expect(USER_NAME.pattern.test('alex')).toBe(true);
  });

  it('refuses empty, long and unsafe user names', () => {
    for (const name of ['', 'x'.repeat(129), 'a b', 'a/b', '../etc', 'a\nb', 'ünï', 'a?b=c', 'a&b']) expect(isValidUserName(name)).toBe(false);
    expect(isValidUserName(42)).toBe(false);
  });

  it('refuses file ids that could change the path', () => {
    expect(isValidFileId('f_default_ntu_annual_report')).toBe(true);
    for (const id of ['', '.', '..', 'a/b', 'a?b', 'a b', '%2e%2e']) expect(isValidFileId(id)).toBe(false);
  });

  it('reads zone-less, zoned and space-separated times', () => {
    expect(readUtcDate('2025-11-16T15:29:18.344000')?.toISOString()).toBe('2025-11-16T15:29:18.344Z');
    expect(readUtcDate('2025-11-16 15:29:18')?.toISOString()).toBe('2025-11-16T15:29:18.000Z');
    expect(readUtcDate('2025-11-16T15:29:18+02:00')?.toISOString()).toBe('2025-11-16T13:29:18.000Z');
    expect(readUtcDate('not a date')).toBeNull();
  });
});
