import { beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import { useGateway } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

const gateway = useGateway("all");

/** Every node type's own fields, so a refetch can be compared with the record a list gave. */
const NODE_FIELDS_FRAGMENT = `
  fragment NodeFields on Node {
  __typename id
  ... on Company { remoteId name domain status }
  ... on ContactEntry { remoteId type email phone company { id } }
  ... on MoneybirdContact { remoteId provider displayName customerId archived version }
  ... on FreeAgentContact { remoteId provider displayName freeAgentStatus: status archived }
  ... on ContactPerson { remoteId firstName lastName email contact { id } }
  ... on ContactNote { remoteId note todo contact { id } }
  }
`;

const LISTS = `
  query Lists {
    companies(first: 1) {
      edges {
        node {
          ...NodeFields
          contactEntries(first: 1) { edges { node { ...NodeFields } } }
        }
      }
    }
    moneybird: contacts(first: 100, filter: { providers: [MONEYBIRD], includeArchived: true }) {
      edges {
        node {
          ...NodeFields
          ... on MoneybirdContact {
            contactPersons { edges { node { ...NodeFields } } }
            notes { ...NodeFields }
          }
        }
      }
    }
    freeAgent: contacts(first: 1, filter: { providers: [FREEAGENT] }) { edges { node { ...NodeFields } } }
  }
  ${NODE_FIELDS_FRAGMENT}
`;

type NodeRow = Record<string, unknown> & { __typename: string; id: string; remoteId: string };

describe("node and nodes", () => {
  const samples: Record<string, NodeRow> = {};
  let moneybirdContactId: string;

  beforeAll(async () => {
    const lists = await executeOk(gateway(), LISTS);
    const company = lists.companies.edges[0].node;
    const moneybird = lists.moneybird.edges.map((edge: { node: NodeRow }) => edge.node);
    const withPeople = moneybird.find(
      (contact: { contactPersons: { edges: unknown[] } }) => contact.contactPersons.edges.length > 0,
    );
    const withNotes = moneybird.find((contact: { notes: unknown[] }) => contact.notes.length > 0);
    const archived = moneybird.find((contact: { archived: boolean }) => contact.archived);
    const strip = ({ contactEntries, contactPersons, notes, ...own }: Record<string, unknown>) =>
      own as NodeRow;
    samples.Company = strip(company);
    samples.ContactEntry = company.contactEntries.edges[0].node;
    samples.MoneybirdContact = strip(moneybird[0]);
    samples.ArchivedMoneybirdContact = strip(archived);
    samples.FreeAgentContact = lists.freeAgent.edges[0].node;
    samples.ContactPerson = withPeople.contactPersons.edges[0].node;
    samples.ContactNote = withNotes.notes[0];
    moneybirdContactId = samples.MoneybirdContact.remoteId;
  });

  it.each([
    "Company",
    "ContactEntry",
    "MoneybirdContact",
    "ArchivedMoneybirdContact",
    "FreeAgentContact",
    "ContactPerson",
    "ContactNote",
  ])("refetches a %s by its id: the same record", async (sample) => {
    const record = samples[sample] as NodeRow;
    const { node } = await executeOk(
      gateway(),
      `query Node($id: ID!) { node(id: $id) { ...NodeFields } } ${NODE_FIELDS_FRAGMENT}`,
      {
        id: record.id,
      },
    );
    expect(node).toEqual(record);
  });

  it("answers ids that are the type name and the provider's id, nested under the contact for people and notes", () => {
    expect(samples.Company?.id).toBe(encodeGlobalId("Company", samples.Company?.remoteId as string));
    const person = samples.ContactPerson as NodeRow & { contact: { id: string } };
    const contact = Buffer.from(person.contact.id, "base64").toString().split(":")[1];
    expect(person.id).toBe(encodeGlobalId("ContactPerson", `${contact}/${person.remoteId}`));
  });

  describe("a well-formed id of a record that does not exist: null and NOT_FOUND with the id", () => {
    it.each([
      ["Company", "999999"],
      ["ContactEntry", "999999"],
      ["MoneybirdContact", "999999"],
      ["FreeAgentContact", "999999"],
      ["ContactPerson", "999999/1"],
      ["ContactNote", "999999/1"],
    ])("%s %s", async (kind, remoteId) => {
      const id = encodeGlobalId(kind, remoteId);
      const result = await execute(gateway(), `query Node($id: ID!) { node(id: $id) { id } }`, { id });
      expect(result.data.node).toBeNull();
      expect(result.errors).toEqual([
        { message: expect.any(String), path: ["node"], extensions: { code: "NOT_FOUND", id } },
      ]);
    });

    it("a person or note id under a contact that exists but has no such person or note", async () => {
      for (const kind of ["ContactPerson", "ContactNote"]) {
        const id = encodeGlobalId(kind, `${moneybirdContactId}/1`);
        const result = await execute(gateway(), `query Node($id: ID!) { node(id: $id) { id } }`, { id });
        expect(result.data.node).toBeNull();
        expect(result.errors?.map((error) => error.extensions)).toEqual([{ code: "NOT_FOUND", id }]);
      }
    });
  });

  it.each([
    ["not base64", "not an id!"],
    ["empty", ""],
    ["an unknown type", encodeGlobalId("Invoice", "1")],
    ["a non-numeric remote id", encodeGlobalId("Company", "abc")],
    ["a person id without its contact", encodeGlobalId("ContactPerson", "12")],
    ["no separator", Buffer.from("Company").toString("base64")],
    ["a remote id with leading zeros", encodeGlobalId("Company", "0001")],
    ["non-canonical base64", encodeGlobalId("Company", "12").replace(/=+$/, "")],
  ])("refuses an id that is %s with BAD_USER_INPUT", async (_name, id) => {
    const result = await execute(gateway(), `query Node($id: ID!) { node(id: $id) { id } }`, { id });
    expect(result.data.node).toBeNull();
    expect(result.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [["node"], "BAD_USER_INPUT"],
    ]);
  });

  it("nodes answers in the order asked, with null and its own error at each bad index", async () => {
    const missing = encodeGlobalId("FreeAgentContact", "999999");
    const ids = [
      samples.FreeAgentContact?.id,
      missing,
      samples.Company?.id,
      "garbage",
      samples.ContactNote?.id,
    ];
    const result = await execute(
      gateway(),
      `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { ...NodeFields } } ${NODE_FIELDS_FRAGMENT}`,
      {
        ids,
      },
    );
    expect(result.data.nodes).toEqual([
      samples.FreeAgentContact,
      null,
      samples.Company,
      null,
      samples.ContactNote,
    ]);
    const errors = result.errors?.map((error) => [error.path, error.extensions?.code]);
    expect(errors?.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      [["nodes", 1], "NOT_FOUND"],
      [["nodes", 3], "BAD_USER_INPUT"],
    ]);
  });

  it("nodes refuses more than 100 ids", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => encodeGlobalId("Company", String(i + 1)));
    const result = await execute(gateway(), `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [["nodes"], "BAD_USER_INPUT"],
    ]);
  });
});
