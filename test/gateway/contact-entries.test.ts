import { beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import { nodesOfWalk, useGateway, walkConnection } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

interface EntryRow {
  id: string;
  remoteId: string;
  type: string;
  contactableType: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  website: string | null;
  city: string | null;
  company: { id: string; name: string } | null;
}

const ENTRIES = `
  query Entries($first: Int, $after: String, $filter: ContactEntryFilter) {
    contactEntries(first: $first, after: $after, filter: $filter) {
      totalCount
      edges {
        cursor
        node { id remoteId type contactableType name email phone website city company { id name } }
      }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
`;

const gateway = useGateway("all");

async function walkEntries(first: number, filter?: Record<string, unknown>): Promise<EntryRow[]> {
  const pages = await walkConnection<EntryRow>(gateway(), ENTRIES, "contactEntries", first, { filter });
  return nodesOfWalk(pages, first);
}

describe("contactEntries", () => {
  let all: EntryRow[];
  beforeAll(async () => {
    all = await walkEntries(100);
  });

  it("walks to the end: no duplicates, no gaps, totalCount equal to the entries seen", async () => {
    expect(all.length).toBeGreaterThan(220 * 3);
    const inOddPages = await walkEntries(97);
    expect(inOddPages.map((entry) => entry.id)).toEqual(all.map((entry) => entry.id));
  });

  it("gives each entry its company, with the value its type calls for", () => {
    for (const entry of all) {
      expect(entry.company).not.toBeNull();
      const value = { EMAIL: entry.email, PHONE: entry.phone, WEBSITE: entry.website, ADDRESS: entry.city }[
        entry.type as "EMAIL" | "PHONE" | "WEBSITE" | "ADDRESS"
      ];
      expect(value, `${entry.type} entry ${entry.remoteId}`).toBeTruthy();
    }
  });

  describe("each filter selects exactly the entries it names", () => {
    it("companyIds, walked in small pages", async () => {
      const companyIds = [...new Set(all.map((entry) => entry.company?.id as string))].slice(5, 8);
      const found = await walkEntries(2, { companyIds });
      const wanted = all.filter((entry) => companyIds.includes(entry.company?.id as string));
      expect(wanted.length).toBeGreaterThan(2 * 3);
      expect(found.map((entry) => entry.id)).toEqual(wanted.map((entry) => entry.id));
    });

    it("types", async () => {
      const found = await walkEntries(100, { types: ["WEBSITE", "ADDRESS"] });
      const wanted = all.filter((entry) => entry.type === "WEBSITE" || entry.type === "ADDRESS");
      expect(wanted.length).toBeGreaterThan(0);
      expect(wanted.length).toBeLessThan(all.length);
      expect(found.map((entry) => entry.id)).toEqual(wanted.map((entry) => entry.id));
    });

    it("contactableTypes", async () => {
      expect(new Set(all.map((entry) => entry.contactableType))).toEqual(new Set(["COMPANY"]));
      expect(await walkEntries(100, { contactableTypes: ["COMPANY"] })).toHaveLength(all.length);
      const people = await executeOk(gateway(), ENTRIES, { filter: { contactableTypes: ["PERSON"] } });
      expect(people.contactEntries).toMatchObject({
        totalCount: 0,
        edges: [],
        pageInfo: { hasNextPage: false },
      });
    });

    it("all three together", async () => {
      const companyIds = [...new Set(all.map((entry) => entry.company?.id as string))].slice(0, 10);
      const found = await walkEntries(100, { companyIds, types: ["EMAIL"], contactableTypes: ["COMPANY"] });
      const wanted = all.filter(
        (entry) => companyIds.includes(entry.company?.id as string) && entry.type === "EMAIL",
      );
      expect(wanted.length).toBeGreaterThanOrEqual(10);
      expect(found.map((entry) => entry.id)).toEqual(wanted.map((entry) => entry.id));
    });
  });

  it("refuses over-limit first, a bad cursor and a company filter id of another type", async () => {
    const cases = [
      { first: 101 },
      { after: "bm9wZQ==" },
      { filter: { companyIds: [encodeGlobalId("MoneybirdContact", "1")] } },
    ];
    for (const variables of cases) {
      const result = await execute(gateway(), ENTRIES, variables);
      expect(result.data.contactEntries, JSON.stringify(variables)).toBeNull();
      expect(result.errors?.map((error) => error.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    }
  });
});
