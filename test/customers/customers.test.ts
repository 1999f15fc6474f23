import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";
import { createTestDatabase } from "../support/postgres-databases.ts";

/**
 * Customers through the gateway on the seeded store (src/store/seed-customers.ts): the walk from a
 * Productive company to its accounting contacts, the cost of a page of them, manual decisions
 * (kept for good, across restarts), and incremental matching after a write.
 */

// biome-ignore lint/suspicious/noExplicitAny: each query reads the shape it selects
type Data = any;

/** Matching polls quickly here, so a write's effect shows within a bounded wait. */
const POLL_MS = 50;

const open = (env: Record<string, string>, onStoreQuery?: (sql: string) => void) =>
  createGateway({
    config: loadConfig({ CUSTOMER_MATCH_INTERVAL_MS: String(POLL_MS), ...env }),
    logger: quietLogger,
    onStoreQuery,
  });

/** Polls `check` until it passes: matching follows the change log every POLL_MS. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(POLL_MS);
    }
  }
}

const CUSTOMER_FIELDS = `id displayName providers
  companies { id name }
  contacts { __typename id displayName }
  links { node { __typename id } provider matchedBy confidence manual linkedAt
    pairs { with { id } matchedBy confidence evidence { reason value weight } } conflicts { kind detail } }
  conflicts { kind detail }`;

const companyNamed = async (gateway: Gateway, name: string) =>
  (
    await executeOk(
      gateway,
      `query ($name: String!) { companies(filter: { name: $name }, first: 5) { edges { node { id name customer { ${CUSTOMER_FIELDS} } } } } }`,
      { name },
    )
  ).companies.edges.find((edge: Data) => edge.node.name === name).node;

const LINK = `mutation ($ids: [ID!]!) { linkRecords(ids: $ids) {
  __typename ... on LinkRecordsSuccess { customer { ${CUSTOMER_FIELDS} } }
  ... on ValidationError { message fieldErrors { path message } } ... on NotFoundError { message id } } }`;
const UNLINK = `mutation ($id: ID!) { unlinkRecord(id: $id) {
  __typename ... on UnlinkRecordSuccess { customer { ${CUSTOMER_FIELDS} } previousCustomer { ${CUSTOMER_FIELDS} } }
  ... on ValidationError { message fieldErrors { path message } } ... on NotFoundError { message id } } }`;

describe("customers on the seeded store", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await open({ STORE_URL: ":memory:" });
  });
  afterAll(() => gateway.close());

  it("walks from a Productive company to its Moneybird and FreeAgent contacts, with the evidence", async () => {
    const company = await companyNamed(gateway, "Brackenbury Print");
    const customer = company.customer;
    expect(customer.providers).toEqual(["PRODUCTIVE", "MONEYBIRD", "FREEAGENT"]);
    expect(customer.companies).toEqual([{ id: company.id, name: "Brackenbury Print" }]);
    expect(customer.contacts.map((contact: Data) => contact.__typename).sort()).toEqual([
      "FreeAgentContact",
      "MoneybirdContact",
    ]);
    for (const link of customer.links) {
      expect(link.manual).toBe(false);
      expect(link.confidence).toBeGreaterThanOrEqual(0.8);
      expect(link.matchedBy.length).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(link.linkedAt))).toBe(false);
      for (const pair of link.pairs) expect(pair.evidence.length).toBeGreaterThan(0);
    }
    // The same customer from the other end, and by its own id.
    const contactId = customer.contacts[0].id;
    const { node } = await executeOk(
      gateway,
      `query ($id: ID!) { node(id: $id) { ... on Contact { customer { id } } } }`,
      {
        id: contactId,
      },
    );
    expect(node.customer.id).toBe(customer.id);
    const byId = await executeOk(
      gateway,
      `query ($id: ID!) { node(id: $id) { __typename ... on Customer { displayName } } }`,
      {
        id: customer.id,
      },
    );
    expect(byId.node).toEqual({ __typename: "Customer", displayName: "Brackenbury Print" });
  });

  it("lists customers by name with filters, and pages them", async () => {
    const LIST = `query ($filter: CustomerFilter, $after: String) { customers(filter: $filter, first: 5, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { displayName providers conflicts { kind } } } } }`;
    const three = (await executeOk(gateway, LIST, { filter: { minProviders: 3 } })).customers;
    expect(three.totalCount).toBeGreaterThanOrEqual(8);
    for (const { node } of three.edges) expect(node.providers).toHaveLength(3);
    const names = three.edges.map((edge: Data) => edge.node.displayName);
    expect(names).toEqual([...names].sort((x, y) => x.localeCompare(y, "en", { sensitivity: "base" })));
    const next = (
      await executeOk(gateway, LIST, { filter: { minProviders: 3 }, after: three.pageInfo.endCursor })
    ).customers;
    expect(next.edges.map((edge: Data) => edge.node.displayName)).not.toContain(names[0]);

    const found = (await executeOk(gateway, LIST, { filter: { query: "brackenbury" } })).customers;
    expect(found.edges.map((edge: Data) => edge.node.displayName)).toEqual(["Brackenbury Print"]);
    const both = (await executeOk(gateway, LIST, { filter: { providers: ["PRODUCTIVE", "FREEAGENT"] } }))
      .customers;
    for (const { node } of both.edges)
      expect(node.providers).toEqual(expect.arrayContaining(["PRODUCTIVE", "FREEAGENT"]));
    const conflicted = (await executeOk(gateway, LIST, { filter: { hasConflicts: true } })).customers;
    for (const { node } of conflicted.edges) expect(node.conflicts.length).toBeGreaterThan(0);
  });

  it("refuses bad manual decisions with typed errors, writing nothing", async () => {
    const company = await companyNamed(gateway, "Brackenbury Print");
    const one = (await executeOk(gateway, LINK, { ids: [company.id] })).linkRecords;
    expect(one).toMatchObject({ __typename: "ValidationError" });
    const twice = (await executeOk(gateway, LINK, { ids: [company.id, company.id] })).linkRecords;
    expect(twice).toMatchObject({ __typename: "ValidationError" });
    const bad = (await executeOk(gateway, LINK, { ids: [company.id, "nonsense"] })).linkRecords;
    expect(bad).toMatchObject({ __typename: "ValidationError", fieldErrors: [{ path: ["ids", "1"] }] });
    const entry = (await executeOk(gateway, LINK, { ids: [company.id, encodeGlobalId("ContactEntry", "1")] }))
      .linkRecords;
    expect(entry).toMatchObject({ __typename: "ValidationError", fieldErrors: [{ path: ["ids", "1"] }] });
    const missing = encodeGlobalId("FreeAgentContact", "999999");
    const gone = (await executeOk(gateway, LINK, { ids: [company.id, missing] })).linkRecords;
    expect(gone).toMatchObject({ __typename: "NotFoundError", id: missing });
    expect((await companyNamed(gateway, "Brackenbury Print")).customer.id).toBe(company.customer.id);
  });
});

describe("a page of companies with their customers' contacts", () => {
  it("costs a constant number of store queries, one per kind of read, for 10 companies as for 100", async () => {
    const queries: string[] = [];
    const gateway = await open({ STORE_URL: ":memory:", CUSTOMER_MATCH_INTERVAL_MS: "600000" }, (sql) =>
      queries.push(sql),
    );
    try {
      const cost = async (first: number) => {
        queries.length = 0;
        const { companies } = await executeOk(
          gateway,
          `query ($first: Int!) { companies(first: $first) { edges { node { id customer { id displayName
            companies { id } contacts { id displayName ... on MoneybirdContact { chamberOfCommerce } }
            links { node { id } matchedBy confidence } } } } } }`,
          { first },
        );
        expect(companies.edges).toHaveLength(first);
        expect(companies.edges.every((edge: Data) => edge.node.customer !== null)).toBe(true);
        return queries.length;
      };
      // The page (and its count), the companies' links, their customers, the customers' links,
      // and the records of each kind those hold: 8 at most, whatever the page's size.
      const ten = await cost(10);
      const hundred = await cost(100);
      expect(ten).toBeLessThanOrEqual(8);
      expect(hundred).toBeLessThanOrEqual(8);
      const statementsOn = (table: string) => queries.filter((sql) => sql.includes(`from "${table}"`)).length;
      expect(statementsOn("customer_links")).toBe(2);
      expect(statementsOn("customers")).toBe(1);
      for (const table of ["moneybird_contacts", "freeagent_contacts"]) expect(statementsOn(table)).toBe(1);
    } finally {
      await gateway.close();
    }
  });
});

describe("manual decisions", () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), "customers-"));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("link and unlink for good: applied at once, kept across a restart, never undone by automatic matching", async () => {
    const url = join(folder, "store.sqlite");
    let gateway = await open({ STORE_URL: url });
    let customerIds: string[];
    let brackenbury: Data;
    let stranger: Data;
    try {
      brackenbury = await companyNamed(gateway, "Brackenbury Print");
      const { contacts } = await executeOk(
        gateway,
        `{ contacts(filter: { providers: [FREEAGENT] }, first: 1) { edges { node { id customer { id } } } } }`,
      );
      stranger = contacts.edges[0].node;

      const linked = (await executeOk(gateway, LINK, { ids: [brackenbury.id, stranger.id] })).linkRecords;
      expect(linked.__typename).toBe("LinkRecordsSuccess");
      // The larger customer keeps its id; the stranger's own customer is merged away.
      expect(linked.customer.id).toBe(brackenbury.customer.id);
      const strangerLink = linked.customer.links.find((link: Data) => link.node.id === stranger.id);
      expect(strangerLink).toMatchObject({ manual: true, matchedBy: ["MANUAL"], confidence: 1 });
      const gone = await execute(gateway, `query ($id: ID!) { node(id: $id) { id } }`, {
        id: stranger.customer.id,
      });
      expect(gone.data.node).toBeNull();
      expect(gone.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");

      const moneybird = brackenbury.customer.contacts.find(
        (contact: Data) => contact.__typename === "MoneybirdContact",
      );
      const unlinked = (await executeOk(gateway, UNLINK, { id: moneybird.id })).unlinkRecord;
      expect(unlinked.__typename).toBe("UnlinkRecordSuccess");
      expect(unlinked.customer.links.map((link: Data) => link.node.id)).toEqual([moneybird.id]);
      expect(unlinked.previousCustomer.id).toBe(brackenbury.customer.id);
      expect(unlinked.previousCustomer.contacts.map((contact: Data) => contact.id)).not.toContain(
        moneybird.id,
      );

      // A change to the unlinked contact makes matching look at it again: it stays alone.
      await executeOk(
        gateway,
        `mutation ($input: UpdateContactInput!) { updateContact(input: $input) { __typename } }`,
        {
          input: { id: moneybird.id, phone: "020-1234567" },
        },
      );
      await sleep(POLL_MS * 4);
      const again = await companyNamed(gateway, "Brackenbury Print");
      expect(again.customer.contacts.map((contact: Data) => contact.id)).not.toContain(moneybird.id);
      customerIds = [again.customer.id, unlinked.customer.id];
    } finally {
      await gateway.close();
    }

    gateway = await open({ STORE_URL: url });
    try {
      const after = await companyNamed(gateway, "Brackenbury Print");
      expect([after.customer.id]).toEqual(customerIds.slice(0, 1));
      expect(after.customer.contacts.map((contact: Data) => contact.id)).toContain(stranger.id);
      expect(after.customer.links.find((link: Data) => link.node.id === stranger.id).manual).toBe(true);
    } finally {
      await gateway.close();
    }
  });
});

describe("incremental matching", () => {
  it("a write that gives a company a contact's VAT number joins their customers within a poll", async () => {
    const gateway = await open({ STORE_URL: ":memory:" });
    try {
      const { contacts } = await executeOk(
        gateway,
        `{ contacts(filter: { providers: [MONEYBIRD] }, first: 50) { edges { node { id taxNumber customer { id providers } } } } }`,
      );
      const contact = contacts.edges.find(
        (edge: Data) => edge.node.taxNumber && edge.node.customer.providers.length === 1,
      ).node;
      const { companies } = await executeOk(
        gateway,
        `{ companies(filter: { name: "Amber" }, first: 1) { edges { node { id customer { providers } } } } }`,
      );
      const company = companies.edges[0].node;
      expect(company.customer.providers).toEqual(["PRODUCTIVE"]);
      await executeOk(
        gateway,
        `mutation ($input: UpdateCompanyInput!) { updateCompany(input: $input) { __typename } }`,
        {
          input: { id: company.id, vat: contact.taxNumber.toLowerCase().replace(/(..)/, "$1 ") },
        },
      );
      const customer = await eventually(async () => {
        const { node } = await executeOk(
          gateway,
          `query ($id: ID!) { node(id: $id) { ... on Company { customer { id contacts { id } links { matchedBy } } } } }`,
          {
            id: company.id,
          },
        );
        expect(node.customer.contacts.map((c: Data) => c.id)).toContain(contact.id);
        return node.customer;
      });
      expect(customer.links.flatMap((link: Data) => link.matchedBy)).toContain("VAT");
    } finally {
      await gateway.close();
    }
  });
});

describe("customers on PostgreSQL", () => {
  it("match and keep manual decisions as on SQLite", async () => {
    const database = await createTestDatabase();
    const gateway = await open({ STORE_URL: database.url });
    try {
      const company = await companyNamed(gateway, "Brackenbury Print");
      expect(company.customer.providers).toEqual(["PRODUCTIVE", "MONEYBIRD", "FREEAGENT"]);
      const unlinked = (await executeOk(gateway, UNLINK, { id: company.id })).unlinkRecord;
      expect(unlinked.customer.links.map((link: Data) => link.node.id)).toEqual([company.id]);
      expect(unlinked.previousCustomer.providers).toEqual(["MONEYBIRD", "FREEAGENT"]);
    } finally {
      await gateway.close();
      await database.drop();
    }
  });
});
