import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError, ValidationError } from "../../src/errors.ts";
import type { Database } from "../../src/store/database.ts";
import { type LocalStore, openStore } from "../../src/store/index.ts";
import { MONEYBIRD_FIRST_ID, migrateToLatest } from "../../src/store/migrations.ts";
import { CUSTOM_FIELDS } from "../../src/store/moneybird.ts";
import { SEED_SIZE } from "../../src/store/seed.ts";
import { ACTIVITY_VIEWS, describeFreeAgentContract } from "../contract/freeagent.contract.ts";
import { describeMoneybirdContract } from "../contract/moneybird.contract.ts";
import { describeProductiveContract } from "../contract/productive.contract.ts";
import { expectValidationError, listAll } from "../contract/support.ts";
import { useEmptyPostgresStores } from "../support/postgres.ts";

const emptyStore = (options: { moneybirdPaymentsEnabled?: boolean } = {}) =>
  openStore({ url: ":memory:", seed: false, ...options });

// The port contracts, on each dialect (PostgreSQL: a database for this file, emptied per test).
for (const [dialect, openEmpty] of [
  ["SQLite", emptyStore],
  ["PostgreSQL", useEmptyPostgresStores()],
] as const) {
  describeProductiveContract(`local store (${dialect})`, openEmpty);
  describeMoneybirdContract(`local store (${dialect})`, async () => {
    const store = await openEmpty();
    return { contacts: store.moneybirdContacts, close: store.close };
  });
  describeFreeAgentContract(`local store (${dialect})`, async () => {
    const store = await openEmpty();
    return { contacts: store.freeAgentContacts, close: store.close };
  });
}

/** Everything a store serves, as plain data, to compare two stores. */
async function contentsOf(store: LocalStore) {
  const moneybird = await listAll((page) => store.moneybirdContacts.list({ includeArchived: true }, page));
  return {
    companies: await listAll((page) =>
      store.companies.list({}, { field: "CREATED_AT", direction: "ASC" }, page),
    ),
    contactEntries: await listAll((page) => store.contactEntries.list({}, page)),
    moneybird,
    charges: await Promise.all(
      moneybird.map((c) => store.moneybirdContacts.listAdditionalCharges(c.id, true)),
    ),
    mandates: await Promise.all(moneybird.map((c) => store.moneybirdContacts.getPaymentsMandate(c.id))),
    freeAgent: await listAll((page) => store.freeAgentContacts.list({ view: "ALL" }, page)),
  };
}

describe("local store", () => {
  const queries: string[] = [];
  let seeded: LocalStore;
  let contents: Awaited<ReturnType<typeof contentsOf>>;
  beforeAll(async () => {
    seeded = await openStore({ url: ":memory:", onQuery: (statement) => queries.push(statement) });
    contents = await contentsOf(seeded);
  });
  afterAll(async () => {
    await seeded.close();
  });

  describe("seed", () => {
    it("holds Productive companies with their contact entries, some archived", () => {
      const { companies, contactEntries } = contents;
      expect(companies.length).toBeGreaterThanOrEqual(200);
      expect(contactEntries.length).toBeGreaterThanOrEqual(600);
      expect(companies.filter((c) => c.status === "ARCHIVED").length).toBeGreaterThan(0);
      expect(new Set(companies.map((c) => c.domain)).size).toBe(companies.length);
      expect(new Set(contactEntries.map((e) => e.type))).toEqual(
        new Set(["EMAIL", "PHONE", "WEBSITE", "ADDRESS"]),
      );
      expect(companies.some((c) => c.vat !== null && c.billingName !== null && c.tags.length > 0)).toBe(true);
      expect(new Set(companies.map((c) => c.defaultCurrency)).size).toBeGreaterThan(1);
    });

    it("holds Moneybird contacts with people, notes, to-dos, charges billed and not, and mandates", async () => {
      const { moneybird, charges, mandates } = contents;
      expect(moneybird.length).toBeGreaterThanOrEqual(200);
      expect(moneybird.some((c) => c.archived)).toBe(true);
      expect(moneybird.some((c) => c.companyName === null)).toBe(true);
      expect(moneybird.some((c) => c.contactPersons.length === 3)).toBe(true);
      expect(moneybird.some((c) => c.notes.some((note) => note.todo))).toBe(true);
      expect(moneybird.some((c) => c.customFields.length > 0)).toBe(true);
      expect(new Set(moneybird.map((c) => c.customerId)).size).toBe(moneybird.length);
      expect(mandates.filter(Boolean).length).toBeGreaterThan(0);
      const unbilled = await Promise.all(
        moneybird.map((c) => seeded.moneybirdContacts.listAdditionalCharges(c.id, false)),
      );
      const all = charges.flat().length;
      expect(unbilled.flat().length).toBeGreaterThan(0);
      expect(unbilled.flat().length).toBeLessThan(all);
    });

    it("holds FreeAgent contacts for every view", async () => {
      expect(contents.freeAgent.length).toBeGreaterThanOrEqual(200);
      for (const view of ["ACTIVE", "HIDDEN", ...ACTIVITY_VIEWS] as const) {
        const page = await seeded.freeAgentContacts.list({ view }, { offset: 0, limit: 1 });
        expect(page.totalCount, view).toBeGreaterThan(0);
      }
      expect(contents.freeAgent.some((c) => c.companyName === null)).toBe(true);
    });

    it("is the same data every time", async () => {
      const again = await openStore({ url: ":memory:" });
      try {
        expect(await contentsOf(again)).toEqual(contents);
      } finally {
        await again.close();
      }
    });
  });

  it("reads each batch in one query", async () => {
    const companyIds = contents.companies.slice(0, 10).map((c) => c.id);
    const count = async (read: () => Promise<unknown[]>) => {
      queries.length = 0;
      const result = await read();
      expect(queries).toHaveLength(1);
      return result;
    };
    expect((await count(() => seeded.companies.getByIds(companyIds))).every(Boolean)).toBe(true);
    const groups = (await count(() =>
      seeded.contactEntries.listByCompanyIds(companyIds, null),
    )) as unknown[][];
    expect(groups.every((entries) => entries.length > 0)).toBe(true);
    const moneybirdIds = contents.moneybird.slice(0, 10).map((c) => c.id);
    expect((await count(() => seeded.moneybirdContacts.getByIds(moneybirdIds))).every(Boolean)).toBe(true);
    const freeAgentIds = contents.freeAgent.slice(0, 10).map((c) => c.id);
    expect((await count(() => seeded.freeAgentContacts.getByIds(freeAgentIds))).every(Boolean)).toBe(true);
  });
});

describe("a store file", () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "store-test-"));
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("keeps its data across reopening, in WAL mode, and seeds only the first time", async () => {
    const url = join(folder, "nested", "gateway.sqlite");
    const first = await openStore({ url });
    const company = await first.companies.create({ name: "Persisted" });
    expect(existsSync(`${url}-wal`)).toBe(true);
    await first.close();

    const second = await openStore({ url });
    try {
      const page = await second.companies.list(
        {},
        { field: "NAME", direction: "ASC" },
        { offset: 0, limit: 1 },
      );
      expect(page.totalCount).toBe(SEED_SIZE.productiveCompanies + 1);
      expect((await second.companies.getByIds([company.id]))[0]?.name).toBe("Persisted");
      await second.ping();
    } finally {
      await second.close();
    }
  });
});

it("migrates idempotently", async () => {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(":memory:") }) });
  const schema = async () =>
    (await sql<{ name: string }>`select name from sqlite_master order by name`.execute(db)).rows.map(
      (row) => row.name,
    );
  try {
    await migrateToLatest(db);
    const once = await schema();
    await migrateToLatest(db);
    expect(await schema()).toEqual(once);
    expect(once).toEqual(
      expect.arrayContaining(["productive_companies", "moneybird_contacts", "freeagent_contacts"]),
    );
  } finally {
    await db.destroy();
  }
});

/** Runs `use` on a new empty store, and closes the store whatever happens. */
async function withEmptyStore(
  use: (store: LocalStore) => Promise<void>,
  options: { moneybirdPaymentsEnabled?: boolean } = {},
): Promise<void> {
  const store = await emptyStore(options);
  try {
    await use(store);
  } finally {
    await store.close();
  }
}

describe("Moneybird rules the contract cannot drive through the port", () => {
  it("archives instead of deleting a contact that has a charge", () =>
    withEmptyStore(async ({ moneybirdContacts: contacts }) => {
      const contact = await contacts.create({ companyName: "Invoiced B.V." });
      await contacts.createAdditionalCharge(contact.id, { productId: "1", price: "10" });
      const outcome = await contacts.delete(contact.id);
      const [stored] = await contacts.getByIds([contact.id]);
      expect(outcome).toEqual({ archived: true, contact: stored });
      expect(stored).toMatchObject({ archived: true });
      expect(stored?.version).toBeGreaterThan(contact.version);
      expect(await contacts.listAdditionalCharges(contact.id, false)).toHaveLength(1);
      expect(await contacts.delete(contact.id)).toEqual({ archived: true, contact: stored });
      await expectValidationError(contacts.archive(contact.id), [
        { path: [], message: "Contact can not be archived" },
      ]);
    }));

  it("refuses every mandate call with FORBIDDEN when Moneybird Payments is off", () =>
    withEmptyStore(
      async ({ moneybirdContacts: contacts }) => {
        const { id } = await contacts.create({ companyName: "No Payments B.V." });
        for (const call of [
          () => contacts.getPaymentsMandate(id),
          () => contacts.requestPaymentsMandate(id, {}),
          () => contacts.createPaymentsMandateUrl(id, null),
          () => contacts.deletePaymentsMandate(id),
        ]) {
          const error = await call().catch((thrown: unknown) => thrown);
          expect(error).toBeInstanceOf(UpstreamError);
          expect(error).toMatchObject({ provider: "MONEYBIRD", code: "FORBIDDEN" });
        }
      },
      { moneybirdPaymentsEnabled: false },
    ));

  it("keeps custom field values by the administration's definitions", () =>
    withEmptyStore(async ({ moneybirdContacts: contacts }) => {
      const [manager, segment] = CUSTOM_FIELDS;
      const contact = await contacts.create({
        companyName: "Fields B.V.",
        customFields: [{ id: segment.id, value: "SMB" }],
      });
      expect(contact.customFields).toEqual([{ id: segment.id, name: "Segment", value: "SMB" }]);
      const updated = await contacts.update(contact.id, {
        customFields: [
          { id: segment.id, value: "Enterprise" },
          { id: manager.id, value: "Eva" },
        ],
      });
      expect(updated.customFields).toEqual([
        { id: manager.id, name: "Account manager", value: "Eva" },
        { id: segment.id, name: "Segment", value: "Enterprise" },
      ]);
    }));

  it("validates additional charges and answers in Moneybird's format", () =>
    withEmptyStore(async ({ moneybirdContacts: contacts }) => {
      const { id } = await contacts.create({ companyName: "Charges B.V." });
      await expectValidationError(contacts.createAdditionalCharge(id, { productId: "", price: "abc" }), [
        { path: ["productId"], message: "can't be blank" },
        { path: ["price"], message: "is not a number" },
      ]);
      await expectValidationError(
        contacts.createAdditionalCharge(id, { productId: "1", price: "1", period: "2021-06" }),
        [{ path: ["period"], message: "is invalid" }],
      );
      expect(await contacts.listAdditionalCharges(id, true)).toEqual([]);
      const charge = await contacts.createAdditionalCharge(id, {
        productId: "1",
        price: "100",
        period: "20210601..20210630",
      });
      expect(charge).toMatchObject({ price: "100.0", period: "202106..202106", description: null });
    }));

  it("takes no id for a write that fails: the whole write rolls back", () =>
    withEmptyStore(async ({ moneybirdContacts: contacts }) => {
      const failed = await contacts
        .create({ companyName: "X", sendInvoicesToEmail: "nope" })
        .catch((thrown: unknown) => thrown);
      expect(failed).toBeInstanceOf(ValidationError);
      expect((await contacts.create({ companyName: "First B.V." })).id).toBe(String(MONEYBIRD_FIRST_ID));
    }));
});

describe("a counted list page", () => {
  /**
   * A store whose next read of `table`'s rows starts a write of `write` while the page is being
   * read: the page must count what its rows saw, the write landing after it.
   */
  async function racingStore(table: string, write: (store: LocalStore) => Promise<unknown>) {
    let armed = false;
    let racer: Promise<unknown> | null = null;
    const store: LocalStore = await openStore({
      url: ":memory:",
      seed: false,
      onQuery: (statement) => {
        if (armed && racer === null && statement.startsWith(`select "domain", "record" from "${table}"`)) {
          racer = write(store);
        }
      },
    });
    return {
      store,
      arm: () => {
        armed = true;
      },
      racer: () => racer,
    };
  }

  it.each([
    [
      "companies",
      "productive_companies",
      (store: LocalStore) => store.companies.create({ name: "Racer" }),
      async (store: LocalStore) => {
        for (const name of ["A", "B", "C"]) await store.companies.create({ name });
      },
      (store: LocalStore) =>
        store.companies.list({}, { field: "NAME", direction: "ASC" }, { offset: 0, limit: 3 }),
    ],
    [
      "contact entries",
      "productive_contact_entries",
      // The store's first company (ids count from 1), which `fill` creates.
      (store: LocalStore) => store.contactEntries.create({ companyId: "1", type: "PHONE", name: "Racer" }),
      async (store: LocalStore) => {
        await store.companies.create({
          name: "A",
          contact: { emails: [1, 2, 3].map((n) => ({ email: `${n}@a.nl` })) },
        });
      },
      (store: LocalStore) => store.contactEntries.list({}, { offset: 0, limit: 3 }),
    ],
    [
      "FreeAgent contacts",
      "freeagent_contacts",
      (store: LocalStore) => store.freeAgentContacts.create({ companyName: "Racer" }),
      async (store: LocalStore) => {
        for (const companyName of ["A", "B", "C"]) await store.freeAgentContacts.create({ companyName });
      },
      (store: LocalStore) => store.freeAgentContacts.list({}, { offset: 0, limit: 3 }),
    ],
  ])("of %s reads its rows and its count in one transaction", async (_name, table, write, fill, listPage) => {
    const { store, arm, racer } = await racingStore(table, write);
    try {
      await fill(store);
      arm();
      const page = await listPage(store);
      expect(racer()).not.toBeNull();
      await racer();
      expect(page).toMatchObject({ totalCount: 3, hasNextPage: false });
      expect(page.items).toHaveLength(3);
      expect((await listPage(store)).totalCount).toBe(4);
    } finally {
      await store.close();
    }
  });
});

it("generates Productive-style company codes", () =>
  withEmptyStore(async ({ companies }) => {
    expect((await companies.create({ name: "Client333" })).companyCode).toBe("CLIE333");
    expect((await companies.create({ name: "Client333" })).companyCode).toBe("CLIE3332");
    expect((await companies.create({ name: "Čokolada d.o.o." })).companyCode).toBe("COKO");
  }));

it("applies its rules across concurrent writes: each write runs alone in its transaction", () =>
  withEmptyStore(async ({ companies, moneybirdContacts }) => {
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 5 }, (_, i) =>
        companies.create({ name: `Rival ${i}`, domain: "contested.com" }),
      ),
      ...Array.from({ length: 5 }, (_, i) => moneybirdContacts.create({ companyName: `Parallel ${i}` })),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "fulfilled",
      ...Array(4).fill("rejected"),
      ...Array(5).fill("fulfilled"),
    ]);
    const contacts = await listAll((page) => moneybirdContacts.list({}, page));
    expect(new Set(contacts.map((contact) => contact.customerId)).size).toBe(5);
  }));
