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
  /** 0 to 1; set by `PATCH /memories/{id}`. */
  importance: number;
  createdAt: number;
  updatedAt: number | null;
}

export type NewMemory = Omit<StoredMemory, 'id' | 'userId' | 'importance'> & { importance?: number };

/** What `PATCH /memories/{id}` may change. */
export interface MemoryPatch {
  memory?: string;
  categories?: MemoryCategory[];
  type?: 'episodic' | 'semantic';
  importance?: number;
  metadata?: Record<string, unknown>;
  updatedAt: number;
}

/** A biography written by hand (`PATCH /profile/bio` with `bio`). */
export interface ManualBio {
  text: string;
  format: string;
  style: string;
  /** Kept even when significant new memories arrive. */
  override: boolean;
  updatedAt: number;
  /** The user's memory count when it was written (for "significant new memories"). */
  memoryCount: number;
}

interface UserState {
  memories: StoredMemory[];
  bio: BioSnapshot | null;
  /** When `refresh=true` last regenerated this user's bio (epoch ms), for the cooldown. */
  lastRefreshAt: number | null;
  /** A generation in progress, shared by concurrent readers. */
  generating: Promise<BioSnapshot> | null;
  /** A biography written by hand, served instead of a generated one while it holds. */
  manualBio: ManualBio | null;
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
      state = { memories: [], bio: null, lastRefreshAt: null, generating: null, manualBio: null };
      this.#users.set(userId, state);
    }
    return state;
  }

  add(userId: string, memory: NewMemory): StoredMemory {
    const stored: StoredMemory = { id: `mem_${String(this.#nextId++).padStart(6, '0')}`, userId, ...memory, importance: memory.importance ?? 0.5 };
    this.#state(userId).memories.push(stored);
    return stored;
  }

  /** The user's memory by id; undefined when unknown or another user's. */
  find(userId: string, id: string): StoredMemory | undefined {
    return this.#users.get(userId)?.memories.find((m) => m.id === id);
  }

  /**
   * Changes a memory of this user; undefined when unknown or another user's. A generated bio that
   * used it is dropped (the next read generates anew), so an edit never lingers in a bio.
   */
  update(userId: string, id: string, patch: MemoryPatch): StoredMemory | undefined {
    const memory = this.find(userId, id);
    if (!memory) return undefined;
    if (patch.memory !== undefined) memory.memory = patch.memory;
    if (patch.categories !== undefined) memory.categories = patch.categories;
    if (patch.type !== undefined) memory.type = patch.type;
    if (patch.importance !== undefined) memory.importance = patch.importance;
    if (patch.metadata !== undefined) memory.metadata = { ...(memory.metadata ?? {}), ...patch.metadata };
    memory.updatedAt = patch.updatedAt;
    this.#dropBioUsing(userId, id);
    return memory;
  }

  /** Deletes a memory of this user; false when unknown or another user's. A bio that used it is dropped. */
  remove(userId: string, id: string): boolean {
    const state = this.#users.get(userId);
    const index = state?.memories.findIndex((m) => m.id === id) ?? -1;
    if (!state || index < 0) return false;
    state.memories.splice(index, 1);
    this.#dropBioUsing(userId, id);
    return true;
  }

  #dropBioUsing(userId: string, id: string): void {
    const state = this.#users.get(userId);
    if (state?.bio?.memories.some((m) => m.id === id)) state.bio = null;
  }

  memories(userId: string): readonly StoredMemory[] {
    return this.#users.get(userId)?.memories ?? [];
  }

  /** The user's bio state (created on first use). */
  user(userId: string): UserState {
    return this.#state(userId);
  }
}
