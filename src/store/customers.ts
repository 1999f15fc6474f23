import { sql } from "kysely";
import type {
  Company,
  Conflict,
  Customer,
  CustomerFilter,
  CustomerLink,
  CustomerRecord,
  CustomerRecordKind,
  FreeAgentContact,
  Page,
  PageRequest,
  Provider,
} from "../domain/index.ts";
import { contactNameKey, PROVIDERS, parseNodeId } from "../domain/index.ts";
import type { CustomerStore, StoredDecision } from "../ports.ts";
import type { Database, Db } from "./database.ts";
import { positionFunction } from "./dialect.ts";
import { readContact as readMoneybirdContact } from "./moneybird.ts";
import {
  anyOf,
  nextIds,
  readSnapshot,
  readStoredRow,
  releaseLease,
  renewedLease,
  type StoredRow,
  storedIds,
} from "./support.ts";

/**
 * The customer tables (since 0010_customers): the matcher's writes, fenced by the `customers`
 * lease so one instance matches, and the reads the schema's loaders batch — each one query
 * whatever the number of keys, so `companies { customer { contacts } }` costs a constant number.
 */

const LEASE = "customers";
const STATE = "matcher";
/** Rows per insert statement: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 200;

const RECORD_TABLES = {
  Company: { table: "productive_companies", provider: "PRODUCTIVE" },
  MoneybirdContact: { table: "moneybird_contacts", provider: "MONEYBIRD" },
  FreeAgentContact: { table: "freeagent_contacts", provider: "FREEAGENT" },
} as const satisfies Record<CustomerRecordKind, { table: keyof Database; provider: Provider }>;

const READERS: Record<CustomerRecordKind, (row: StoredRow) => CustomerRecord> = {
  Company: (row) => readStoredRow<Company>(row),
  MoneybirdContact: readMoneybirdContact,
  FreeAgentContact: (row) => readStoredRow<FreeAgentContact>(row),
};

type CustomerRow = Database["customers"];
type LinkRow = Database["customer_links"];

const iso = (ms: number) => new Date(Number(ms)).toISOString();

function readCustomer(row: CustomerRow): Customer {
  return {
    kind: "Customer",
    id: String(row.id),
    displayName: row.display_name,
    providers: row.providers ? (row.providers.split(",") as Provider[]) : [],
    recordCount: Number(row.record_count),
    conflicts: JSON.parse(row.conflicts) as Conflict[],
    createdAt: iso(row.created_at_ms),
    updatedAt: iso(row.updated_at_ms),
  };
}

function readLink(row: LinkRow): CustomerLink {
  return {
    nodeId: row.node_id,
    customerId: String(row.customer_id),
    provider: row.provider as Provider,
    kind: row.kind as CustomerRecordKind,
    recordId: row.record_id,
    matchedBy: JSON.parse(row.matched_by),
    confidence: Number(row.confidence_milli) / 1000,
    manual: Number(row.manual) === 1,
    linkedAt: iso(row.linked_at_ms),
    pairs: JSON.parse(row.pairs),
    conflicts: JSON.parse(row.conflicts),
  };
}

function readDecision(row: Database["customer_decisions"]): StoredDecision {
  return {
    id: row.id,
    kind: row.kind,
    nodeIds: JSON.parse(row.node_ids),
    from: row.from_node_id,
    madeAt: row.made_at,
    madeBy: row.made_by,
    applied: Number(row.applied) === 1,
  };
}

/** Folded as names are ordered elsewhere (contactNameKey), so `query` ignores case and accents. */
const nameKey = (displayName: string) =>
  contactNameKey({ companyName: displayName, firstName: null, lastName: null });

const chunks = <T>(items: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

/** The records by node id, one query per kind asked for. */
async function readRecords(db: Db, nodeIds: readonly string[]): Promise<(CustomerRecord | null)[]> {
  const byKind = new Map<CustomerRecordKind, string[]>();
  for (const nodeId of nodeIds) {
    const { kind, id } = parseNodeId(nodeId);
    if (kind in RECORD_TABLES) byKind.set(kind, [...(byKind.get(kind) ?? []), id]);
  }
  const found = new Map<string, CustomerRecord>();
  for (const [kind, ids] of byKind) {
    const rows = await db
      .selectFrom(RECORD_TABLES[kind].table)
      .select(["domain", "record"])
      .where((eb) => anyOf(eb, "id", storedIds(ids)))
      .execute();
    for (const row of rows) {
      const record = READERS[kind](row);
      found.set(`${kind}:${record.id}`, record);
    }
  }
  return nodeIds.map((nodeId) => found.get(nodeId) ?? null);
}

function filtered(db: Db, filter: CustomerFilter) {
  const position = positionFunction(db);
  const words = (filter.query ?? "").split(/\s+/).map(nameKey).filter(Boolean);
  return db.selectFrom("customers").where((eb) => {
    const conditions = words.map((word) => eb(eb.fn(position, ["name_key", eb.val(word)]), ">", 0));
    for (const provider of filter.providers ?? []) {
      // `providers` is comma-separated without spaces: a provider is a whole item of it.
      conditions.push(eb(eb.fn(position, [sql`',' || providers || ','`, eb.val(`,${provider},`)]), ">", 0));
    }
    if (filter.minProviders != null) conditions.push(eb("provider_count", ">=", filter.minProviders));
    if (filter.hasConflicts != null) conditions.push(eb("conflicts", filter.hasConflicts ? "<>" : "=", "[]"));
    return eb.and(conditions);
  });
}

export interface CustomerTables extends CustomerStore {
  getByIds(ids: readonly string[]): Promise<(Customer | null)[]>;
  linksOf(nodeIds: readonly string[]): Promise<(CustomerLink | null)[]>;
  linksOfCustomers(customerIds: readonly string[]): Promise<CustomerLink[][]>;
  list(filter: CustomerFilter, page: PageRequest): Promise<Page<Customer>>;
}

export function createCustomerStore(db: Db): CustomerTables {
  async function write(trx: Db, change: Parameters<CustomerStore["write"]>[1], now: number) {
    const fresh = change.customers.filter((customer) => customer.id === null);
    const freshIds = await nextIds(trx, "customers", fresh.length);
    const ids = new Map<string, string>();
    for (const customer of change.customers) {
      ids.set(customer.key, customer.id ?? String(freshIds[fresh.indexOf(customer)]));
    }
    const removedCustomers = change.removedCustomerIds.map(Number);
    for (const part of chunks(removedCustomers)) {
      await trx.deleteFrom("customers").where("id", "in", part).execute();
    }
    const rewritten = [
      ...change.removedNodeIds,
      ...change.customers.flatMap((c) => c.links.map((l) => l.nodeId)),
    ];
    for (const part of chunks(rewritten)) {
      await trx.deleteFrom("customer_links").where("node_id", "in", part).execute();
    }
    const kept = change.customers.filter((customer) => customer.id !== null).map((c) => Number(c.id));
    const created = new Map<number, number>();
    for (const part of chunks(kept)) {
      const rows = await trx
        .selectFrom("customers")
        .select(["id", "created_at_ms"])
        .where("id", "in", part)
        .execute();
      for (const row of rows) created.set(Number(row.id), Number(row.created_at_ms));
      await trx.deleteFrom("customers").where("id", "in", part).execute();
    }
    const customerRows = change.customers.map((customer) => {
      const id = Number(ids.get(customer.key));
      return {
        id,
        display_name: customer.displayName,
        name_key: nameKey(customer.displayName),
        providers: PROVIDERS.filter((p) => customer.providers.includes(p)).join(","),
        provider_count: customer.providers.length,
        record_count: customer.links.length,
        conflicts: JSON.stringify(customer.conflicts),
        created_at_ms: created.get(id) ?? now,
        updated_at_ms: now,
      };
    });
    for (const part of chunks(customerRows)) await trx.insertInto("customers").values(part).execute();
    const linkRows = change.customers.flatMap((customer) =>
      customer.links.map((link) => ({
        node_id: link.nodeId,
        customer_id: Number(ids.get(customer.key)),
        provider: link.provider,
        kind: link.kind,
        record_id: link.recordId,
        matched_by: JSON.stringify(link.matchedBy),
        confidence_milli: Math.round(link.confidence * 1000),
        manual: link.manual ? 1 : 0,
        linked_at_ms: Date.parse(link.linkedAt),
        pairs: JSON.stringify(link.pairs),
        conflicts: JSON.stringify(link.conflicts),
      })),
    );
    for (const part of chunks(linkRows)) await trx.insertInto("customer_links").values(part).execute();
    for (const part of chunks(change.appliedDecisionIds)) {
      await trx.updateTable("customer_decisions").set({ applied: 1 }).where("id", "in", part).execute();
    }
    await trx
      .insertInto("customer_state")
      .values({ name: STATE, through_sequence: change.throughSequence, matched_at_ms: now })
      .onConflict((oc) =>
        oc.column("name").doUpdateSet({ through_sequence: change.throughSequence, matched_at_ms: now }),
      )
      .execute();
    return ids;
  }

  return {
    async getByIds(ids) {
      const numeric = ids.filter((id) => /^\d{1,15}$/.test(id)).map(Number);
      const rows = await db
        .selectFrom("customers")
        .selectAll()
        .where((eb) => anyOf(eb, "id", numeric))
        .execute();
      const byId = new Map(rows.map((row) => [String(row.id), readCustomer(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    },

    async linksOf(nodeIds) {
      const rows = await db
        .selectFrom("customer_links")
        .selectAll()
        .where((eb) => anyOf(eb, "node_id", [...nodeIds]))
        .execute();
      const byNode = new Map(rows.map((row) => [row.node_id, readLink(row)]));
      return nodeIds.map((nodeId) => byNode.get(nodeId) ?? null);
    },

    async linksOfCustomers(customerIds) {
      const numeric = customerIds.filter((id) => /^\d{1,15}$/.test(id)).map(Number);
      const rows = await db
        .selectFrom("customer_links")
        .selectAll()
        .where((eb) => anyOf(eb, "customer_id", numeric))
        .orderBy("customer_id")
        .orderBy("node_id")
        .execute();
      const byCustomer = new Map<string, CustomerLink[]>();
      for (const row of rows) {
        const link = readLink(row);
        byCustomer.set(link.customerId, [...(byCustomer.get(link.customerId) ?? []), link]);
      }
      return customerIds.map((id) => byCustomer.get(id) ?? []);
    },

    records: (nodeIds) => readRecords(db, nodeIds),

    list: (filter, page) =>
      readSnapshot(db, async (trx) => {
        const query = filtered(trx, filter);
        const rows = await query
          .selectAll()
          .orderBy("name_key")
          .orderBy("id")
          .limit(page.limit)
          .offset(page.offset)
          .execute();
        const { count } = await query
          .select((eb) => eb.fn.countAll<number>().as("count"))
          .executeTakeFirstOrThrow();
        const total = Number(count);
        return {
          items: rows.map(readCustomer),
          hasNextPage: page.offset + rows.length < total,
          totalCount: total,
        };
      }),

    async allRecords(providers) {
      const records: CustomerRecord[] = [];
      for (const [kind, { table, provider }] of Object.entries(RECORD_TABLES)) {
        if (!providers.includes(provider)) continue;
        const rows = await db.selectFrom(table).select(["domain", "record"]).orderBy("id").execute();
        for (const row of rows) records.push(READERS[kind as CustomerRecordKind](row));
      }
      return records;
    },

    async state() {
      return readSnapshot(db, async (trx) => {
        const rows = await trx.selectFrom("customer_links").selectAll().execute();
        const state = await trx
          .selectFrom("customer_state")
          .select("through_sequence")
          .where("name", "=", STATE)
          .executeTakeFirst();
        return {
          links: new Map(rows.map((row) => [row.node_id, readLink(row)])),
          throughSequence: state ? Number(state.through_sequence) : null,
        };
      });
    },

    async decisions() {
      const rows = await db
        .selectFrom("customer_decisions")
        .selectAll()
        .orderBy("made_at")
        .orderBy("id")
        .execute();
      return rows.map(readDecision);
    },

    async hasUnappliedDecisions() {
      const row = await db
        .selectFrom("customer_decisions")
        .select("id")
        .where("applied", "=", 0)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async addDecision(decision) {
      await db
        .insertInto("customer_decisions")
        .values({
          id: decision.id,
          kind: decision.kind,
          node_ids: JSON.stringify(decision.nodeIds),
          from_node_id: decision.from,
          made_at: decision.madeAt,
          made_by: decision.madeBy,
          applied: 0,
        })
        .execute();
    },

    async isApplied(decisionId) {
      const row = await db
        .selectFrom("customer_decisions")
        .select("applied")
        .where("id", "=", decisionId)
        .executeTakeFirst();
      return Number(row?.applied) === 1;
    },

    write: (holder, change) =>
      db.transaction().execute(async (trx) => {
        if (!(await renewedLease(trx, LEASE, holder, LEASE_TTL_MS))) return null;
        return write(trx, change, Date.now());
      }),

    lease: (holder, ttlMs) => renewedLease(db, LEASE, holder, ttlMs),
    release: (holder) => releaseLease(db, LEASE, holder),
  };
}

/** How long a matcher's write renews its lease for: its heartbeat (matcher.ts) renews it more often. */
const LEASE_TTL_MS = 15_000;
