import { sql } from "kysely";
import type { Change, ChangePage } from "../domain/index.ts";
import { ChangeFeedError } from "../errors.ts";
import type { ChangeSource } from "../ports.ts";
import type { Db } from "./database.ts";

/**
 * The change log (`changes`, since 0007_changes). Triggers on every record table write it in the
 * writing transaction, so every writer feeds it without code of its own — the store's writes
 * today, a mirror's sync later, a script — and a rolled-back write leaves nothing. Positions are
 * the rows' `sequence`, in commit order on both dialects (see the migration). Watchers read by
 * position: one poll of the log's head per interval, while anyone watches, wakes them; as the log
 * is in the database, that also sees other instances' and processes' writes to a shared store.
 */

/** How often the head of the log is read while someone watches. */
const POLL_INTERVAL_MS = 250;
/** How many changes a watcher reads at a time. */
const WATCH_BATCH = 100;
/** How often changes older than the retention are deleted. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

export interface StoreChangeSource extends ChangeSource {
  /** Deletes the changes committed before `before` (epoch ms); a position before them is then EXPIRED. */
  prune(before: number): Promise<void>;
  /** Ends every watch and stops pruning (the store is closing). */
  close(): void;
}

interface Watcher {
  /** The position it waits after, or null while it reads. */
  waitingAfter: number | null;
  wake(): void;
  finish(): void;
}

function toChange(row: {
  sequence: number;
  kind: string;
  provider: string;
  typename: string;
  remote_id: string;
  at_ms: number;
}): Change {
  return {
    sequence: row.sequence,
    kind: row.kind as Change["kind"],
    provider: row.provider as Change["provider"],
    typename: row.typename as Change["typename"],
    remoteId: row.remote_id,
    at: new Date(row.at_ms).toISOString(),
  };
}

/** The store's change log; changes older than the retention are pruned before it answers, then hourly. */
export async function createChangeSource(
  db: Db,
  { retentionDays }: { retentionDays: number },
): Promise<StoreChangeSource> {
  const watchers = new Set<Watcher>();
  let poll: NodeJS.Timeout | undefined;
  let polling = false;

  const prunedThrough = async () =>
    Number(
      (
        await db
          .selectFrom("changes_horizon")
          .select((eb) => eb.fn.max("pruned_through").as("through"))
          .executeTakeFirst()
      )?.through ?? 0,
    );

  const expired = (after: number) =>
    new ChangeFeedError(
      "EXPIRED",
      `changes after position ${after} are no longer kept: read the records afresh, then follow the changes from the newest position`,
    );

  async function list(after: number | null, first: number): Promise<ChangePage> {
    const rows = await db
      .selectFrom("changes")
      .selectAll()
      .where("sequence", ">", after ?? 0)
      .orderBy("sequence")
      .limit(first + 1)
      .execute();
    // Read after the rows: the horizon only grows, so one at or below `after` now was so when they were read.
    if (after !== null && after < (await prunedThrough())) throw expired(after);
    return { changes: rows.slice(0, first).map(toChange), hasNextPage: rows.length > first };
  }

  async function head(): Promise<number> {
    const { rows } = await sql<{ head: number | string | null }>`
      select coalesce((select max(sequence) from changes), (select max(pruned_through) from changes_horizon), 0) as head`.execute(
      db,
    );
    return Number(rows[0]?.head ?? 0);
  }

  async function pollHead(): Promise<void> {
    if (watchers.size === 0) {
      clearInterval(poll);
      poll = undefined;
      return;
    }
    if (polling) return;
    polling = true;
    try {
      const newest = await head();
      for (const watcher of watchers) {
        if (watcher.waitingAfter !== null && newest > watcher.waitingAfter) watcher.wake();
      }
    } finally {
      polling = false;
    }
  }

  function stream(start: number): AsyncIterableIterator<Change> {
    let position = start;
    let buffered: Change[] = [];
    let finished = false;
    let resume = () => {};
    const watcher: Watcher = {
      waitingAfter: null,
      wake: () => resume(),
      finish: () => {
        finished = true;
        watchers.delete(watcher);
        resume();
      },
    };
    watchers.add(watcher);
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        while (!finished) {
          const change = buffered.shift();
          if (change) return { value: change, done: false };
          const page = await list(position, WATCH_BATCH);
          buffered = page.changes;
          position = buffered.at(-1)?.sequence ?? position;
          if (buffered.length > 0 || finished) continue;
          await new Promise<void>((resolve) => {
            watcher.waitingAfter = position;
            resume = resolve;
            // A poll failure (the database briefly away) is retried at the next interval.
            poll ??= setInterval(() => void pollHead().catch(() => {}), POLL_INTERVAL_MS);
          });
          watcher.waitingAfter = null;
        }
        return { value: undefined, done: true };
      },
      async return() {
        watcher.finish();
        return { value: undefined, done: true };
      },
    };
  }

  function endWatches(): void {
    for (const watcher of [...watchers]) watcher.finish();
  }

  async function prune(before: number): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const newest = await trx
        .selectFrom("changes")
        .select((eb) => eb.fn.max("sequence").as("through"))
        .where("at_ms", "<", before)
        .executeTakeFirst();
      const through = Number(newest?.through ?? 0);
      if (through === 0) return;
      await trx.deleteFrom("changes").where("sequence", "<=", through).execute();
      // A row per prune, the lower ones dropped: instances pruning at once leave the highest.
      await trx.insertInto("changes_horizon").values({ pruned_through: through }).execute();
      await trx.deleteFrom("changes_horizon").where("pruned_through", "<", through).execute();
    });
  }

  const retentionMs = retentionDays * 24 * 60 * 60 * 1000;
  // Pruning is idempotent, so instances sharing a store may all run it; a failed round waits for the next.
  await prune(Date.now() - retentionMs);
  const pruning = setInterval(
    () => void prune(Date.now() - retentionMs).catch(() => {}),
    PRUNE_INTERVAL_MS,
  ).unref();

  return {
    list,
    head,
    async watch(after) {
      if (after === null) return stream(await head());
      if (after < (await prunedThrough())) throw expired(after);
      return stream(after);
    },
    prune,
    endWatches,
    close() {
      clearInterval(pruning);
      clearInterval(poll);
      poll = undefined;
      endWatches();
    },
  };
}
