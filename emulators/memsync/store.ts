import type { MemoryCategory } from './extract.js';
import type { BioSnapshot } from './bio.js';

/** One stored memory, as the emulator keeps it (times in epoch ms). */
export interface StoredMemory {
  id: string;
  userId: string;
  memory: string;
  categories: MemoryCategory[];
  type: 'episodic' | 'semantic';
  source: string | null;
  agentId: string | null;
  threadId: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: number;
  updatedAt: number | null;
}

export type NewMemory = Omit<StoredMemory, 'id' | 'userId'>;

interface UserState {
  memories: StoredMemory[];
  bio: BioSnapshot | null;
  /** When `refresh=true` last regenerated this user's bio (epoch ms), for the cooldown. */
  lastRefreshAt: number | null;
  /** A generation in progress, shared by concurrent readers. */
  generating: Promise<BioSnapshot> | null;
}

/** Every user's memories and bio state; users never see each other's data. */
export class MemoryStore {
  #users = new Map<string, UserState>();
  #nextId = 1;

  clear(): void {
    this.#users.clear();
    this.#nextId = 1;
  }

  #state(userId: string): UserState {
    let state = this.#users.get(userId);
    if (!state) {
      state = { memories: [], bio: null, lastRefreshAt: null, generating: null };
      this.#users.set(userId, state);
    }
    return state;
  }

  add(userId: string, memory: NewMemory): StoredMemory {
    const stored: StoredMemory = { id: `mem_${String(this.#nextId++).padStart(6, '0')}`, userId, ...memory };
    this.#state(userId).memories.push(stored);
    return stored;
  }

  memories(userId: string): readonly StoredMemory[] {
    return this.#users.get(userId)?.memories ?? [];
  }

  /** The user's bio state (created on first use). */
  user(userId: string): UserState {
    return this.#state(userId);
  }
}
