import type { FreeAgentContactSource } from "../ports.ts";
import { changedRecords, confirmedGone, LISTING_PAGE, listAll, type Round } from "./round.ts";

/**
 * How far back of the previous round's start `updated_since` reaches: a contact saved while that
 * round listed, or stamped by a FreeAgent clock a little behind ours, is read again (a record
 * read twice is written once: unchanged, it is skipped).
 */
const UPDATED_SINCE_OVERLAP_MS = 60_000;

/**
 * FreeAgent's change signal is `updated_since`: a round lists the contacts updated since the last
 * one. It tells no deletions, so a sweep (every MIRROR_SWEEP_INTERVAL_S, and the first round)
 * lists them all, oldest first, and deletes what it no longer finds — each confirmed by a read
 * by id first.
 */
export async function syncFreeAgent(live: FreeAgentContactSource, round: Round): Promise<void> {
  const stored = await round.fingerprints("FreeAgentContact");
  const since =
    round.sweep || round.state?.cursor == null ? null : round.state.cursor - UPDATED_SINCE_OVERLAP_MS;
  const listed = await listAll(
    LISTING_PAGE.FREEAGENT,
    (page) =>
      live.list(
        {
          view: "ALL",
          sort: { field: "CREATED_AT", direction: "ASC" },
          ...(since === null ? {} : { updatedAfter: new Date(since).toISOString() }),
        },
        page,
      ),
    (items) => round.write({ upserts: changedRecords(items, stored), deletions: [] }),
  );
  const progress = { syncedAt: round.startedAt, cursor: round.startedAt };
  if (!round.sweep) return round.write({ upserts: [], deletions: [] }, progress);
  const { gone, found } = await confirmedGone(round, stored.keys(), listed, (ids) => live.getByIds(ids));
  await round.write(
    { upserts: found, deletions: gone.map((id) => ({ kind: "FreeAgentContact", id })) },
    { ...progress, sweptAt: round.startedAt },
  );
}
