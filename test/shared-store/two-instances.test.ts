import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.ts";
import { SEED_SIZE } from "../../src/store/seed.ts";
import { useGatewayProcesses } from "../support/gateway-process.ts";
import { createTestDatabase } from "../support/postgres-databases.ts";

/**
 * Two gateway processes on one store: what only a shared database shows. Each dialect's store is
 * created and seeded once for the file, then every test starts two real processes on it (the
 * example of docs/several-instances.md). The tests assert what landed, never timings.
 */

interface StoreLocation {
  url: string;
  drop(): Promise<void>;
}

async function sqliteFile(): Promise<StoreLocation> {
  const dir = mkdtempSync(join(tmpdir(), "gateway-shared-"));
  return { url: join(dir, "store.sqlite"), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

const DIALECTS: [string, () => Promise<StoreLocation>][] = [
  ["SQLite (one file in WAL mode)", sqliteFile],
  ["PostgreSQL (one database)", createTestDatabase],
];

const TEST_TIMEOUT_MS = 45_000;
const startProcess = useGatewayProcesses();

/** Two instances on the store: the URL of each, once both listen. */
async function startTwo(storeUrl: string): Promise<[string, string]> {
  const env = { STORE_URL: storeUrl };
  const instances = [0, 1].map(() => startProcess(["--import", "tsx", "src/main.ts"], env));
  const [a, b] = await Promise.all(instances.map((instance) => instance.url));
  return [a as string, b as string];
}

// biome-ignore lint/suspicious/noExplicitAny: each test reads the shape its query selects
type Data = any;

async function post(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Data; errors?: { extensions?: { code?: string } }[] };
}

async function graphql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<Data> {
  const body = await post(url, query, variables);
  expect(body.errors).toBeUndefined();
  return body.data;
}

const CREATE_COMPANY = `mutation ($input: CreateCompanyInput!) {
  createCompany(input: $input) {
    __typename
    ... on CreateCompanySuccess { companyId }
    ... on ValidationError { fieldErrors { path message } }
  }
}`;

const CREATE_MONEYBIRD_CONTACT = `mutation ($name: String!) {
  createContact(input: { provider: MONEYBIRD, companyName: $name }) {
    ... on CreateContactSuccess { contactId }
  }
}`;

const UPDATE_CUSTOMER_ID = `mutation ($input: UpdateContactInput!) {
  updateContact(input: $input) {
    __typename
    ... on ValidationError { fieldErrors { path message } }
  }
}`;

const MONEYBIRD_CONTACT = `query ($id: ID!) {
  node(id: $id) { ... on MoneybirdContact { version notes { note } contactPersons(first: 100) { totalCount } } }
}`;

/** Runs `count` writes at once, alternating between the two instances. */
const acrossBoth = <T>(
  urls: [string, string],
  count: number,
  write: (url: string, i: number) => Promise<T>,
) => Promise.all(Array.from({ length: count }, (_, i) => write(urls[i % 2] as string, i)));

const createMoneybirdContact = async (url: string, name: string): Promise<string> =>
  (await graphql(url, CREATE_MONEYBIRD_CONTACT, { name })).createContact.contactId;

describe.each(DIALECTS)("two instances on one store: %s", (_dialect, createLocation) => {
  let store: StoreLocation;
  beforeAll(async () => {
    store = await createLocation();
    await (await openStore({ url: store.url })).close();
  }, 60_000);
  afterAll(() => store.drop());

  it("starting at once on an empty store, migrate and seed it once", { timeout: 60_000 }, async () => {
    const empty = await createLocation();
    try {
      const urls = await startTwo(empty.url);
      for (const url of urls) {
        const data = await graphql(url, "{ companies(first: 1) { totalCount } }");
        expect(data.companies.totalCount).toBe(SEED_SIZE.productiveCompanies);
      }
    } finally {
      await empty.drop();
    }
  });

  it("lands 100 concurrent creates once each, with unique ids", { timeout: TEST_TIMEOUT_MS }, async () => {
    const urls = await startTwo(store.url);
    const results = await acrossBoth(
      urls,
      100,
      async (url, i) =>
        (await graphql(url, CREATE_COMPANY, { input: { name: `Concurrent Co ${i}` } })).createCompany,
    );
    expect(results.map((result) => result.__typename)).toEqual(Array(100).fill("CreateCompanySuccess"));
    expect(new Set(results.map((result) => result.companyId)).size).toBe(100);
    const listed = await graphql(
      urls[0],
      `{ companies(first: 1, filter: { name: "Concurrent Co" }) { totalCount } }`,
    );
    expect(listed.companies.totalCount).toBe(100);
  });

  it("gives one of two concurrent writes of a domain (or a Moneybird customer id) the record, the other a ValidationError", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const urls = await startTwo(store.url);
    for (let round = 0; round < 5; round++) {
      const domain = `race-${round}.example`;
      const results = await acrossBoth(
        urls,
        2,
        async (url, i) =>
          (await graphql(url, CREATE_COMPANY, { input: { name: `Race ${round} ${i}`, domain } }))
            .createCompany,
      );
      expect(results.map((result) => result.__typename).sort()).toEqual([
        "CreateCompanySuccess",
        "ValidationError",
      ]);
      expect(results.find((result) => result.__typename === "ValidationError").fieldErrors).toEqual([
        { path: ["input", "domain"], message: "domain already taken" },
      ]);
    }
    // Creates take turns on the id sequence's row lock; updates of two contacts do not.
    for (let round = 0; round < 5; round++) {
      const customerId = `RACE-${round}`;
      const ids = await acrossBoth(urls, 2, (url, i) => createMoneybirdContact(url, `Race ${round} ${i}`));
      const results = await acrossBoth(
        urls,
        2,
        async (url, i) =>
          (await graphql(url, UPDATE_CUSTOMER_ID, { input: { id: ids[i], customerId } })).updateContact,
      );
      expect(results.map((result) => result.__typename).sort()).toEqual([
        "UpdateContactSuccess",
        "ValidationError",
      ]);
      expect(results.find((result) => result.__typename === "ValidationError").fieldErrors).toEqual([
        { path: ["input", "customerId"], message: "has already been taken" },
      ]);
    }
  });

  it("loses no concurrent change of one Moneybird contact, and bumps its version for each", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const urls = await startTwo(store.url);
    const id = await createMoneybirdContact(urls[0], "Versioned BV");
    const before = (await graphql(urls[0], MONEYBIRD_CONTACT, { id })).node;
    const added = await acrossBoth(urls, 20, (url, i) =>
      graphql(
        url,
        `mutation ($input: AddContactNoteInput!) { addContactNote(input: $input) { __typename } }`,
        {
          input: { contactId: id, note: `note ${i}` },
        },
      ),
    );
    expect(added.map((data) => data.addContactNote.__typename)).toEqual(
      Array(20).fill("AddContactNoteSuccess"),
    );
    const after = (await graphql(urls[1], MONEYBIRD_CONTACT, { id })).node;
    expect(after.notes.map((note: { note: string }) => note.note).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `note ${i}`).sort(),
    );
    expect(after.version).toBeGreaterThanOrEqual(before.version + 20);
  });

  it("adds a contact person or a charge to a contact being deleted, or answers NotFoundError: never an orphan", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const urls = await startTwo(store.url);
    for (let round = 0; round < 5; round++) {
      const id = await createMoneybirdContact(urls[0], `Doomed ${round} BV`);
      const [deleted, person, charge] = await Promise.all([
        graphql(
          urls[0],
          `mutation ($id: ID!) { deleteContact(id: $id) { __typename ... on DeleteContactSuccess { archived } } }`,
          { id },
        ),
        graphql(
          urls[1],
          `mutation ($id: ID!) { createContactPerson(input: { contactId: $id, firstName: "Late", lastName: "Person" }) { __typename } }`,
          { id },
        ),
        graphql(
          urls[1],
          `mutation ($id: ID!) { createAdditionalCharge(input: { contactId: $id, productId: "1", price: "10" }) { __typename } }`,
          { id },
        ),
      ]);
      expect(deleted.deleteContact.__typename).toBe("DeleteContactSuccess");
      expect(["CreateContactPersonSuccess", "NotFoundError"]).toContain(
        person.createContactPerson.__typename,
      );
      // A charge that landed first makes Moneybird archive the contact instead; one after the delete finds none.
      const chargeLanded = charge.createAdditionalCharge.__typename === "CreateAdditionalChargeSuccess";
      if (!chargeLanded) expect(charge.createAdditionalCharge.__typename).toBe("NotFoundError");
      expect(deleted.deleteContact.archived).toBe(chargeLanded);
      const remaining = await post(urls[1], MONEYBIRD_CONTACT, { id });
      if (chargeLanded) expect(remaining.data.node).not.toBeNull();
      else expect(remaining.errors?.map((error) => error.extensions?.code)).toEqual(["NOT_FOUND"]);
    }
  });
});
