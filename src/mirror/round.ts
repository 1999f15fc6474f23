import type { Page, PageRequest } from "../domain/index.ts";
import type {
  MirrorBatch,
  MirroredKind,
  MirroredRecord,
  MirrorProgress,
  MirrorState,
  MirrorStore,
} from "../ports.ts";

/** A round's write refused: another instance holds the lease now, so this one stops syncing. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
  constructor() {
    super("another instance took the mirror's lease over: it syncs now");
  }
}

/** What one sync round of one provider works with. */
export interface Round {
  /** Epoch ms when the round began: what `syncedAt` becomes when it completes. */
  startedAt: number;
  /** The provider's state before the round; null: never synced. */
  state: MirrorState | null;
  /** Whether this round lists everything, to see deletions (always the first round). */
  sweep: boolean;
  /**
   * What the mirror holds of a kind (id → fingerprint). On a provider's first round every
   * fingerprint is blank, so every record is fetched anew: the rows there (the store's demo data,
   * or a mirror of another account) are replaced, never trusted.
   */
  fingerprints(kind: MirroredKind): Promise<Map<string, string>>;
  /** Writes a step of the round; `LeaseLostError` when this instance no longer holds the lease. */
  write(batch: MirrorBatch, progress?: MirrorProgress): Promise<void>;
}

/** The fingerprint `MirrorStore.fingerprints` keeps for a record that is not Moneybird's: its JSON as stored. */
export const recordFingerprint = (record: MirroredRecord) => JSON.stringify(record.raw);

export function createRound(
  store: MirrorStore,
  holder: string,
  provider: MirrorState["provider"],
  state: MirrorState | null,
  sweep: boolean,
): Round {
  return {
    startedAt: Date.now(),
    state,
    sweep,
    async fingerprints(kind) {
      const stored = await store.fingerprints(kind);
      if (state?.syncedAt != null) return stored;
      return new Map([...stored.keys()].map((id) => [id, ""]));
    },
    async write(batch, progress = {}) {
      if (!(await store.write(holder, provider, batch, progress))) throw new LeaseLostError();
    },
  };
}

/** The size of a listing's pages: the most each provider answers at once. */
export const LISTING_PAGE = { PRODUCTIVE: 200, MONEYBIRD: 100, FREEAGENT: 100 } as const;

/**
 * Every page of a listing, each handed to `onPage` as it arrives (so a long listing's progress is
 * written as it goes); the listed ids.
 */
export async function listAll<T extends { id: string }>(
  pageSize: number,
  list: (page: PageRequest) => Promise<Page<T>>,
  onPage: (items: T[]) => Promise<void>,
): Promise<Set<string>> {
  const listed = new Set<string>();
  for (let offset = 0; ; offset += pageSize) {
    const page = await list({ offset, limit: pageSize, countTotal: false });
    await onPage(page.items);
    for (const item of page.items) listed.add(item.id);
    if (!page.hasNextPage || page.items.length === 0) return listed;
  }
}

/** The records a listing answered that differ from what the mirror holds. */
export const changedRecords = <T extends MirroredRecord>(items: readonly T[], stored: Map<string, string>) =>
  items.filter((item) => stored.get(item.id) !== recordFingerprint(item));

/**
 * The stored ids a full listing did not answer, split into those a read by id confirms gone and
 * the records it found: a listing paged by offset can skip a record when another is deleted
 * meanwhile, and a skipped record must not be deleted from the mirror. On a first round nothing
 * is asked: the rows there are not the provider's (see `Round.fingerprints`).
 */
export async function confirmedGone<T extends { id: string }>(
  round: Round,
  stored: Iterable<string>,
  listed: Set<string>,
  getByIds: (ids: readonly string[]) => Promise<(T | null)[]>,
): Promise<{ gone: string[]; found: T[] }> {
  const candidates = [...stored].filter((id) => !listed.has(id));
  if (candidates.length === 0 || round.state?.syncedAt == null) return { gone: candidates, found: [] };
  const answers = await getByIds(candidates);
  return {
    gone: candidates.filter((_, index) => answers[index] === null),
    found: answers.filter((answer): answer is T => answer !== null),
  };
}
