/**
 * Seed users, shared by name with the Synvo emulator:
 * - `alex`: the San Francisco engineer of MemSync's bio example (15 memories over 9 categories,
 *   each over 10 words, one of them `private`), with a bio generated at start;
 * - `default`: the Synvo seed's NTU student, with exactly 3 memories (so `BIO_NOT_FOUND`,
 *   `current_memory_count: 3`, as in the MemSync seed's example);
 * - `newcomer`: nothing at all.
 */
import type { MemoryCategory } from './extract.js';
import type { MemoryStore, NewMemory } from './store.js';

interface SeedMemory {
  memory: string;
  categories: MemoryCategory[];
  type?: 'episodic' | 'semantic';
  createdAt: string;
  /** `null`: imported before MemSync kept these fields. */
  source?: string | null;
  agentId?: string | null;
  threadId?: string | null;
  updated?: boolean;
}

const ALEX: SeedMemory[] = [
  { memory: 'User works as a software engineer at a health-tech startup in San Francisco that applies machine learning to healthcare.', categories: ['career', 'identity'], createdAt: '2024-01-02T09:12:00Z', source: null, updated: false },
  { memory: 'User builds most of their machine learning pipelines in Python and has used the language professionally for eight years.', categories: ['career'], createdAt: '2024-01-03T10:05:00Z', source: null, updated: false },
  { memory: 'User regularly collaborates with doctors and nurses to turn clinical feedback into better diagnostic models for patients.', categories: ['career'], createdAt: '2024-01-04T16:40:00Z' },
  { memory: "User works closely with their colleague Sarah Johnson, who leads the data platform team at the startup.", categories: ['relationships', 'career'], createdAt: '2024-01-05T11:20:00Z' },
  { memory: 'User often consults Dr. Martinez, a cardiologist who advises the startup on the clinical validation of its models.', categories: ['relationships', 'career'], createdAt: '2024-01-05T14:02:00Z' },
  { memory: "User loves hiking the Bay Area's trails on weekends, especially the coastal paths in Marin and Point Reyes.", categories: ['interests', 'health'], createdAt: '2024-01-06T08:30:00Z' },
  { memory: 'User reads extensively about emerging technologies such as large language models, quantum computing and green energy.', categories: ['interests', 'learning'], createdAt: '2024-01-07T21:15:00Z' },
  { memory: 'User makes family time a priority and has dinner with their parents and younger sister every Sunday evening.', categories: ['relationships'], createdAt: '2024-01-08T19:45:00Z' },
  { memory: 'User cares deeply about sustainability, commutes by bike and is exploring green technology solutions for data centers.', categories: ['interests', 'identity'], createdAt: '2024-01-09T07:55:00Z' },
  { memory: 'User travels frequently to machine learning and digital health conferences and presented a poster in Boston last spring.', categories: ['travel', 'career'], type: 'episodic', createdAt: '2024-01-10T13:10:00Z' },
  { memory: 'User likes to add a few days of leisure travel after conferences and most recently explored Lisbon and Kyoto.', categories: ['travel', 'interests'], type: 'episodic', createdAt: '2024-01-11T18:25:00Z' },
  { memory: 'User is taking an online course on causal inference to keep expanding their knowledge of artificial intelligence.', categories: ['learning', 'career'], createdAt: '2024-01-12T20:00:00Z' },
  { memory: 'User lives in the Mission District of San Francisco and moved to California from Chicago about six years ago.', categories: ['identity'], type: 'episodic', createdAt: '2024-01-13T09:00:00Z' },
  { memory: 'User practices yoga twice a week and tries to sleep eight hours a night to balance long workdays.', categories: ['health', 'productivity'], createdAt: '2024-01-14T06:50:00Z' },
  { memory: 'User blocks the first two hours of every morning for deep work and keeps all meetings in the afternoon.', categories: ['productivity', 'career'], createdAt: '2024-01-14T12:30:00Z' },
  { memory: "User sees a therapist for anxiety every Thursday and wants the therapist's name and the appointments kept strictly private.", categories: ['private', 'health'], type: 'episodic', createdAt: '2024-01-15T10:00:00Z' },
];

const DEFAULT_USER: SeedMemory[] = [
  { memory: 'User studies Artificial Intelligence at Nanyang Technological University (NTU) and reads about neural networks in their spare time.', categories: ['learning', 'identity'], createdAt: '2025-11-16T15:29:18Z', source: 'synvo-import' },
  { memory: 'User is learning about operating profit margins because they value financial literacy for better long-term decisions.', categories: ['finance', 'learning'], createdAt: '2025-11-16T15:32:40Z', source: 'synvo-import' },
  { memory: 'User encouraged colleagues to join the October WellFest event at NTU, which focused on self-care and well-being.', categories: ['health', 'relationships'], type: 'episodic', createdAt: '2025-11-16T15:34:06Z', source: 'synvo-import' },
];

export const SEED_USERS = { alex: ALEX, default: DEFAULT_USER, newcomer: [] as SeedMemory[] };

function toNew(seed: SeedMemory, index: number): NewMemory {
  const createdAt = Date.parse(seed.createdAt);
  return {
    memory: seed.memory,
    categories: seed.categories,
    type: seed.type ?? 'semantic',
    source: seed.source === undefined ? 'chat' : seed.source,
    agentId: seed.agentId === undefined ? (seed.source === undefined ? 'onboarding-assistant' : null) : seed.agentId,
    threadId: seed.threadId === undefined ? (seed.source === undefined ? `thread_seed_${String(index + 1).padStart(2, '0')}` : null) : seed.threadId,
    metadata: null,
    createdAt,
    updatedAt: seed.updated === false ? null : createdAt,
  };
}

/** Loads the seed users into an empty store. */
export function seedStore(store: MemoryStore): void {
  for (const [userId, memories] of Object.entries(SEED_USERS)) {
    memories.forEach((seed, index) => store.add(userId, toNew(seed, index)));
  }
}
