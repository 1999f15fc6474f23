import { sql } from "kysely";
import type { Provider } from "../domain/index.ts";
import type { MirrorBatch, MirroredKind, MirroredRecord, MirrorState, MirrorStore } from "../ports.ts";
import type { Db } from "./database.ts";
import { contactColumns as freeAgentContactColumns } from "./freeagent.ts";
import { contactColumns as moneybirdContactColumns } from "./moneybird.ts";
import { companyColumns, contactEntryColumns, saveCompanyTags } from "./productive.ts";
import { anyOf, releaseLease, renewedLease, storedIds } from "./support.ts";

/**
 * The mirror's writes: a live provider's records, as it answered them, in the tables the store
 * serves from — so the store's reads, search index and change log (all fed by those tables and
 * their triggers) cover a mirrored provider exactly as a stored one. A sync round's writes are
 * fenced by the lease row: each transaction renews the writer's lease first and writes nothing
 * when another instance holds it.
 */

const LEASE = "sync";

const TABLES = {
  Company: "productive_companies",
  ContactEntry: "productive_contact_entries",
  MoneybirdContact: "moneybird_contacts",
  FreeAgentContact: "freeagent_contacts",
} as const satisfies Record<MirroredKind, string>;

const PROVIDER_KINDS: Record<Provider, readonly MirroredKind[]> = {
  PRODUCTIVE: ["Company", "ContactEntry"],
  MONEYBIRD: ["MoneybirdContact"],
  FREEAGENT: ["FreeAgentContact"],
};

/**
 * Upserts come companies first (contact entries refer to them), deletions the other way round.
 * Stable, so that within a kind the provider's order is kept.
 */
const UPSERT_ORDER: readonly MirroredKind[] = [
  "Company",
  "ContactEntry",
  "MoneybirdContact",
  "FreeAgentContact",
];

async function upsert(db: Db, record: MirroredRecord): Promise<void> {
  const id = Number(record.id);
  const [key = id] = storedIds([record.id]);
  switch (record.kind) {
    case "Company": {
      const columns = companyColumns(record);
      // Domains are unique in the store: a stale row still holding the one this record now has gives it up.
      if (columns.domain_key !== null) {
        await db
          .updateTable("productive_companies")
          .set({ domain_key: null })
          .where("domain_key", "=", columns.domain_key)
          .where("id", "<>", id)
          .execute();
      }
      await db
        .insertInto("productive_companies")
        .values({ id, ...columns })
        .onConflict((oc) => oc.column("id").doUpdateSet(columns))
        .execute();
      await saveCompanyTags(db, record);
      return;
    }
    case "ContactEntry": {
      const columns = contactEntryColumns(record);
      await db
        .insertInto("productive_contact_entries")
        .values({ id, ...columns })
        .onConflict((oc) => oc.column("id").doUpdateSet(columns))
        .execute();
      return;
    }
    case "MoneybirdContact": {
      const columns = moneybirdContactColumns(record);
      // Customer ids are unique: a stale row holding this one (moved upstream since) gives it up
      // until its own change arrives (its version differs, so the sync fetches it); a placeholder
      // no Moneybird customer id looks like keeps it unique meanwhile.
      await db
        .updateTable("moneybird_contacts")
        .set({ customer_id: sql<string>`'moved:' || cast(id as text)` })
        .where("customer_id", "=", columns.customer_id)
        .where((eb) => eb.not(anyOf(eb, "id", [key])))
        .execute();
      await db
        .insertInto("moneybird_contacts")
        .values({ id: key, ...columns })
        // A version older than the stored one (a sync's read overtaken by a write's answer) is not kept.
        .onConflict((oc) =>
          oc.column("id").doUpdateSet(columns).where("moneybird_contacts.version", "<=", columns.version),
        )
        .execute();
      return;
    }
    case "FreeAgentContact": {
      const columns = freeAgentContactColumns(record);
      // FreeAgent's records do not carry the roles its views filter on (client, supplier, …): a
      // mirror never sets them, and its reads of those views go live (see src/mirror/sources.ts).
      await db
        .insertInto("freeagent_contacts")
        .values({
          id,
          ...columns,
          is_client: 0,
          is_supplier: 0,
          has_completed_projects: 0,
          has_open_invoices: 0,
          has_open_bills: 0,
        })
        .onConflict((oc) =>
          oc
            .column("id")
            .doUpdateSet(columns)
            .where("freeagent_contacts.updated_at_ms", "<=", columns.updated_at_ms),
        )
        .execute();
      return;
    }
  }
}

async function remove(db: Db, kind: MirroredKind, id: string): Promise<void> {
  const [storedId] = storedIds([id]);
  if (storedId === undefined) return;
  const ids = [storedId];
  switch (kind) {
    case "Company":
      await db
        .deleteFrom("productive_contact_entries")
        .where((eb) => anyOf(eb, "company_id", ids))
        .execute();
      await db
        .deleteFrom("productive_company_tags")
        .where((eb) => anyOf(eb, "company_id", ids))
        .execute();
      await db
        .deleteFrom("productive_companies")
        .where((eb) => anyOf(eb, "id", ids))
        .execute();
      return;
    case "MoneybirdContact":
      // The store's own charges of a contact (demo data the first round replaces) go with it.
      await db
        .deleteFrom("moneybird_additional_charges")
        .where((eb) => anyOf(eb, "contact_id", ids))
        .execute();
      await db
        .deleteFrom("moneybird_contacts")
        .where((eb) => anyOf(eb, "id", ids))
        .execute();
      return;
    default:
      await db
        .deleteFrom(TABLES[kind])
        .where((eb) => anyOf(eb, "id", ids))
        .execute();
  }
}

async function applyBatch(db: Db, batch: MirrorBatch): Promise<void> {
  const upserts = [...batch.upserts].sort(
    (a, b) => UPSERT_ORDER.indexOf(a.kind) - UPSERT_ORDER.indexOf(b.kind),
  );
  for (const record of upserts) await upsert(db, record);
  const deletions = [...batch.deletions].sort(
    (a, b) => UPSERT_ORDER.indexOf(b.kind) - UPSERT_ORDER.indexOf(a.kind),
  );
  for (const { kind, id } of deletions) await remove(db, kind, id);
}

/** Every transaction of a round renews the lease for this long; the round's own heartbeat renews it between. */
export interface MirrorStoreOptions {
  leaseTtlMs: number;
}

export function createMirrorStore(db: Db, { leaseTtlMs }: MirrorStoreOptions): MirrorStore {
  const saveState = async (
    trx: Db,
    provider: Provider,
    state: Partial<{
      synced_at_ms: number;
      swept_at_ms: number;
      cursor_ms: number;
      attempted_at_ms: number;
      last_error: string | null;
      failures: number;
    }>,
  ) => {
    await trx
      .insertInto("mirror_state")
      .values({ provider, failures: 0, ...state })
      .onConflict((oc) =>
        Object.keys(state).length === 0
          ? oc.column("provider").doNothing()
          : oc.column("provider").doUpdateSet(state),
      )
      .execute();
  };

  return {
    async fingerprints(kind) {
      // Ids as text: a Moneybird id beyond 2^53 would come back rounded as a number.
      const id = sql<string>`cast(id as text)`.as("id");
      if (kind === "MoneybirdContact") {
        const rows = await db.selectFrom("moneybird_contacts").select([id, "version"]).execute();
        return new Map(rows.map((row) => [row.id, String(row.version)]));
      }
      const rows = await db.selectFrom(TABLES[kind]).select([id, "record"]).execute();
      return new Map(rows.map((row) => [row.id, row.record]));
    },

    async write(holder, provider, batch, progress) {
      return db.transaction().execute(async (trx) => {
        if (!(await renewedLease(trx, LEASE, holder, leaseTtlMs))) return false;
        await applyBatch(trx, batch);
        const completed = progress.syncedAt !== undefined;
        await saveState(trx, provider, {
          ...(progress.syncedAt !== undefined ? { synced_at_ms: progress.syncedAt } : {}),
          ...(progress.sweptAt !== undefined ? { swept_at_ms: progress.sweptAt } : {}),
          ...(progress.cursor !== undefined ? { cursor_ms: progress.cursor } : {}),
          ...(completed ? { attempted_at_ms: progress.syncedAt, last_error: null, failures: 0 } : {}),
        });
        return true;
      });
    },

    async recordFailure(holder, provider, message, attemptedAt) {
      await db.transaction().execute(async (trx) => {
        if (!(await renewedLease(trx, LEASE, holder, leaseTtlMs))) return;
        await saveState(trx, provider, { attempted_at_ms: attemptedAt, last_error: message });
        await trx
          .updateTable("mirror_state")
          .set((eb) => ({ failures: eb("failures", "+", 1) }))
          .where("provider", "=", provider)
          .execute();
      });
    },

    async states() {
      const rows = await db.selectFrom("mirror_state").selectAll().execute();
      const counts = await Promise.all(
        Object.values(TABLES).map(async (table) => {
          const row = await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number | string>().as("count"))
            .executeTakeFirstOrThrow();
          return [table, Number(row.count)] as const;
        }),
      );
      const countOf = new Map<string, number>(counts);
      const records = (provider: Provider) =>
        PROVIDER_KINDS[provider].reduce((sum, kind) => sum + (countOf.get(TABLES[kind]) ?? 0), 0);
      const number = (value: number | string | null) => (value === null ? null : Number(value));
      return rows.map((row) => {
        const provider = row.provider as Provider;
        return {
          provider,
          syncedAt: number(row.synced_at_ms),
          sweptAt: number(row.swept_at_ms),
          cursor: number(row.cursor_ms),
          attemptedAt: number(row.attempted_at_ms),
          lastError: row.last_error,
          failures: Number(row.failures),
          records: records(provider),
        } satisfies MirrorState;
      });
    },

    async lease(holder, ttlMs) {
      return renewedLease(db, LEASE, holder, ttlMs);
    },

    async release(holder) {
      await releaseLease(db, LEASE, holder);
    },

    async keep(record) {
      await db.transaction().execute((trx) => upsert(trx, record));
    },

    async forget(kind, id) {
      await db.transaction().execute((trx) => remove(trx, kind, id));
    },
  };
}
