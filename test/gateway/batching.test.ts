import { afterEach, describe, expect, it, vi } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import { useGateway } from "../support/gateway.ts";
import { executeOk } from "../support/graphql.ts";

/**
 * Per-request DataLoaders, proved by counting the calls that reach the store: every by-id read and
 * every to-many relation is one call per request and type (deduplicated), and records a list or a
 * field returned are not read again by id.
 */

const gateway = useGateway("all");
afterEach(() => {
  vi.restoreAllMocks();
});

function spyOnStoreReads(gateway: Gateway) {
  const { companies, contactEntries, moneybirdContacts, freeAgentContacts } = gateway.sources;
  return {
    companiesList: vi.spyOn(companies, "list"),
    companiesByIds: vi.spyOn(companies, "getByIds"),
    entriesList: vi.spyOn(contactEntries, "list"),
    entriesByCompanyIds: vi.spyOn(contactEntries, "listByCompanyIds"),
    entriesByIds: vi.spyOn(contactEntries, "getByIds"),
    moneybirdList: vi.spyOn(moneybirdContacts, "list"),
    moneybirdByIds: vi.spyOn(moneybirdContacts, "getByIds"),
    moneybirdByCustomerId: vi.spyOn(moneybirdContacts, "getByCustomerId"),
    freeAgentList: vi.spyOn(freeAgentContacts, "list"),
    freeAgentByIds: vi.spyOn(freeAgentContacts, "getByIds"),
  };
}
type StoreReads = ReturnType<typeof spyOnStoreReads>;

/** How many times each read was called, leaving out the ones that were not. */
function callCounts(reads: StoreReads): Record<string, number> {
  return Object.fromEntries(
    Object.entries(reads)
      .map(([name, spy]) => [name, spy.mock.calls.length] as const)
      .filter(([, count]) => count > 0),
  );
}

const COMPANIES_WITH_ENTRIES = `
  query CompaniesWithEntries($first: Int) {
    companies(first: $first) {
      edges {
        node {
          id
          name
          contactEntries(first: 100) { totalCount edges { node { id type company { id name } } } }
        }
      }
    }
  }
`;

interface CompanyWithEntries {
  id: string;
  contactEntries: { totalCount: number; edges: { node: { id: string; company: { id: string } } }[] };
}

describe("per-request DataLoaders", () => {
  it("reads 100 companies with their entries, and each entry's company, in as many store calls as 10", async () => {
    const counts: Record<string, number>[] = [];
    for (const first of [10, 100]) {
      const reads = spyOnStoreReads(gateway());
      const data = await executeOk(gateway(), COMPANIES_WITH_ENTRIES, { first });
      const companies: CompanyWithEntries[] = data.companies.edges.map(
        (edge: { node: CompanyWithEntries }) => edge.node,
      );
      expect(companies).toHaveLength(first);
      for (const company of companies) {
        expect(company.contactEntries.totalCount).toBeGreaterThan(0);
        expect(company.contactEntries.edges.every((edge) => edge.node.company.id === company.id)).toBe(true);
      }
      expect(reads.entriesByCompanyIds.mock.calls[0]?.[0]).toHaveLength(first);
      counts.push(callCounts(reads));
      vi.restoreAllMocks();
    }
    // The entries' companies come from the loader the list primed: no by-id read at all.
    expect(counts).toEqual([
      { companiesList: 1, entriesByCompanyIds: 1 },
      { companiesList: 1, entriesByCompanyIds: 1 },
    ]);
  });

  it("loads each company's entries once per distinct set of arguments", async () => {
    const reads = spyOnStoreReads(gateway());
    const data = await executeOk(
      gateway(),
      `{
        companies(first: 50) {
          edges { node { emails: contactEntries(type: [EMAIL]) { edges { node { type } } } phones: contactEntries(type: [PHONE]) { totalCount } } }
        }
      }`,
    );
    const emailTypes = data.companies.edges.flatMap(
      (edge: { node: { emails: { edges: { node: { type: string } }[] } } }) =>
        edge.node.emails.edges.map((entry) => entry.node.type),
    );
    expect(new Set(emailTypes)).toEqual(new Set(["EMAIL"]));
    expect(callCounts(reads)).toEqual({ companiesList: 1, entriesByCompanyIds: 2 });
    expect(reads.entriesByCompanyIds.mock.calls.map((call) => call[1])).toEqual([["EMAIL"], ["PHONE"]]);
  });

  it("reads the companies of 100 contact entries in one deduplicated call", async () => {
    const reads = spyOnStoreReads(gateway());
    const data = await executeOk(
      gateway(),
      `{ contactEntries(first: 100) { edges { node { id company { id name } } } } }`,
    );
    const companyIds = new Set(
      data.contactEntries.edges.map((edge: { node: { company: { id: string } } }) => edge.node.company.id),
    );
    expect(companyIds.size).toBeGreaterThan(1);
    expect(companyIds.size).toBeLessThan(100);
    expect(callCounts(reads)).toEqual({ entriesList: 1, companiesByIds: 1 });
    expect(reads.companiesByIds.mock.calls[0]?.[0]).toHaveLength(companyIds.size);
  });

  it("batches and deduplicates by-id reads per type, whatever the mix of ids in one request", async () => {
    const reads = spyOnStoreReads(gateway());
    const id = encodeGlobalId;
    const ids = [
      id("Company", "1"),
      id("Company", "2"),
      id("Company", "1"),
      id("ContactEntry", "5"),
      id("ContactEntry", "5"),
      id("FreeAgentContact", "1"),
      id("FreeAgentContact", "2"),
      id("FreeAgentContact", "1"),
      id("Company", "999999"),
    ];
    const result = await executeOk(
      gateway(),
      `query Nodes($ids: [ID!]!) { a: nodes(ids: $ids) { id } b: node(id: "${ids[1]}") { id } }`,
      {
        ids: ids.slice(0, -1),
      },
    );
    expect(result.a.map((node: { id: string }) => node.id)).toEqual(ids.slice(0, -1));
    expect(callCounts(reads)).toEqual({ companiesByIds: 1, entriesByIds: 1, freeAgentByIds: 1 });
    expect(reads.companiesByIds.mock.calls[0]?.[0]).toEqual(["1", "2"]);
    expect(reads.entriesByIds.mock.calls[0]?.[0]).toEqual(["5"]);
    expect(reads.freeAgentByIds.mock.calls[0]?.[0]).toEqual(["1", "2"]);
  });

  it("starts every request with empty loaders", async () => {
    const reads = spyOnStoreReads(gateway());
    const query = `{ node(id: "${encodeGlobalId("Company", "3")}") { id } }`;
    await executeOk(gateway(), query);
    await executeOk(gateway(), query);
    expect(callCounts(reads)).toEqual({ companiesByIds: 2 });
  });

  it("serves a contact's people and notes, and their way back to the contact, from the listed contact", async () => {
    const reads = spyOnStoreReads(gateway());
    const data = await executeOk(
      gateway(),
      `{
        contacts(first: 100, filter: { providers: [MONEYBIRD] }) {
          edges {
            node {
              id
              ... on MoneybirdContact {
                contactPersons { edges { node { id contact { id } } } }
                notes { id contact { id } }
              }
            }
          }
        }
      }`,
    );
    const contacts = data.contacts.edges.map(
      (edge: {
        node: {
          id: string;
          contactPersons: { edges: { node: { contact: { id: string } } }[] };
          notes: { contact: { id: string } }[];
        };
      }) => edge.node,
    );
    const people = contacts.flatMap(
      (contact: { contactPersons: { edges: unknown[] } }) => contact.contactPersons.edges,
    );
    expect(people.length).toBeGreaterThan(10);
    for (const contact of contacts) {
      for (const person of contact.contactPersons.edges) expect(person.node.contact.id).toBe(contact.id);
      for (const note of contact.notes) expect(note.contact.id).toBe(contact.id);
    }
    expect(callCounts(reads)).toEqual({ moneybirdList: 1 });
  });

  it("refetches people and notes of several contacts with one read of their contacts", async () => {
    const listed = await executeOk(
      gateway(),
      `{
        contacts(first: 100, filter: { providers: [MONEYBIRD] }) {
          edges { node { ... on MoneybirdContact { remoteId contactPersons { edges { node { id } } } notes { id } } } }
        }
      }`,
    );
    const withBoth = listed.contacts.edges
      .map(
        (edge: {
          node: {
            remoteId: string;
            contactPersons: { edges: { node: { id: string } }[] };
            notes: { id: string }[];
          };
        }) => edge.node,
      )
      .filter(
        (contact: { contactPersons: { edges: unknown[] }; notes: unknown[] }) =>
          contact.contactPersons.edges.length > 0 && contact.notes.length > 0,
      )
      .slice(0, 3);
    expect(withBoth).toHaveLength(3);
    const ids = withBoth.flatMap(
      (contact: { contactPersons: { edges: { node: { id: string } }[] }; notes: { id: string }[] }) => [
        ...contact.contactPersons.edges.map((edge) => edge.node.id),
        ...contact.notes.map((note) => note.id),
      ],
    );

    const reads = spyOnStoreReads(gateway());
    const refetched = await executeOk(gateway(), `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids,
    });
    expect(refetched.nodes.map((node: { id: string }) => node.id)).toEqual(ids);
    expect(callCounts(reads)).toEqual({ moneybirdByIds: 1 });
    expect(reads.moneybirdByIds.mock.calls[0]?.[0]).toEqual(
      withBoth.map((contact: { remoteId: string }) => contact.remoteId),
    );
  });

  it("primes the contact loader from contactByCustomerId", async () => {
    const reads = spyOnStoreReads(gateway());
    const data = await executeOk(
      gateway(),
      `{ contactByCustomerId(customerId: "7") { id contactPersons { edges { node { contact { id } } } } notes { contact { id } } } }`,
    );
    expect(data.contactByCustomerId).not.toBeNull();
    expect(callCounts(reads)).toEqual({ moneybirdByCustomerId: 1 });
  });
});
