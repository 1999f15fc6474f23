import { afterEach, describe, expect, it, vi } from "vitest";
import { UpstreamError } from "../../src/errors.ts";
import { mutationDocument, useGateway } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

/**
 * Partial results: a field that makes an upstream call of its own is nullable, so when that call
 * fails the field is null with its typed error in `errors`, and the page around it stands.
 */

const gateway = useGateway("each");
afterEach(() => {
  vi.restoreAllMocks();
});

const unavailable = (provider: "PRODUCTIVE" | "MONEYBIRD") =>
  new UpstreamError(provider, "UNAVAILABLE", `${provider} answered 503`);

/** The error a failed field gets: its path, the upstream code and the provider. */
const upstreamError = (provider: string, path: (string | number)[]) => ({
  message: `${provider} answered 503`,
  path,
  extensions: { code: "UPSTREAM_UNAVAILABLE", provider },
});

const MONEYBIRD_CONTACTS = `{
  contacts(first: 100, filter: { providers: [MONEYBIRD] }) {
    edges { node { id remoteId displayName ... on MoneybirdContact { customerId additionalCharges { id } } } }
  }
}`;

interface ChargedContact {
  id: string;
  remoteId: string;
  displayName: string;
  customerId: string | null;
  additionalCharges: { id: string }[] | null;
}

describe("Productive", () => {
  const COMPANIES = `{
    companies(first: 3) {
      totalCount
      edges { node { id name contactEntries(first: 5) { totalCount edges { node { id } } } } }
    }
  }`;

  it("a companies page whose contact entries fail keeps its companies, each with contactEntries null", async () => {
    const { companies: listed } = await executeOk(
      gateway(),
      "{ companies(first: 3) { totalCount edges { node { id name } } } }",
    );
    const entries = vi
      .spyOn(gateway().sources.contactEntries, "listByCompanyIds")
      .mockRejectedValue(unavailable("PRODUCTIVE"));

    const result = await execute(gateway(), COMPANIES);

    expect(result.status).toBe(200);
    expect(result.data.companies).toEqual({
      totalCount: listed.totalCount,
      edges: listed.edges.map((edge: { node: { id: string; name: string } }) => ({
        node: { ...edge.node, contactEntries: null },
      })),
    });
    expect(result.errors).toEqual(
      [0, 1, 2].map((i) => upstreamError("PRODUCTIVE", ["companies", "edges", i, "node", "contactEntries"])),
    );
    // Still one batched call for the page, not one per company.
    expect(entries).toHaveBeenCalledTimes(1);
  });

  it("a company read by id whose entries fail is still the company", async () => {
    const { companies } = await executeOk(
      gateway(),
      "{ companies(first: 1) { edges { node { id name } } } }",
    );
    const company = companies.edges[0].node;
    vi.spyOn(gateway().sources.contactEntries, "listByCompanyIds").mockRejectedValue(
      unavailable("PRODUCTIVE"),
    );

    const result = await execute(
      gateway(),
      "query ($id: ID!) { node(id: $id) { ... on Company { name contactEntries { totalCount } } } }",
      { id: company.id },
    );

    expect(result.data.node).toEqual({ name: company.name, contactEntries: null });
    expect(result.errors).toEqual([upstreamError("PRODUCTIVE", ["node", "contactEntries"])]);
  });

  it("a contact entries page whose companies cannot be read keeps its entries, each with company null", async () => {
    vi.spyOn(gateway().sources.companies, "getByIds").mockRejectedValue(unavailable("PRODUCTIVE"));

    const result = await execute(
      gateway(),
      "{ contactEntries(first: 3) { edges { node { id type company { name } } } } }",
    );

    expect(result.data.contactEntries.edges).toHaveLength(3);
    for (const edge of result.data.contactEntries.edges) {
      expect(edge.node).toEqual({ id: expect.any(String), type: expect.any(String), company: null });
    }
    expect(result.errors).toEqual(
      [0, 1, 2].map((i) => upstreamError("PRODUCTIVE", ["contactEntries", "edges", i, "node", "company"])),
    );
  });
});

describe("Moneybird", () => {
  it("a contacts page whose additional charges fail keeps its contacts, each with additionalCharges null", async () => {
    const { contacts: listed } = await executeOk(gateway(), MONEYBIRD_CONTACTS);
    vi.spyOn(gateway().sources.moneybirdContacts, "listAdditionalCharges").mockRejectedValue(
      unavailable("MONEYBIRD"),
    );

    const result = await execute(gateway(), MONEYBIRD_CONTACTS);

    expect(result.status).toBe(200);
    expect(result.data.contacts.edges).toEqual(
      listed.edges.map((edge: { node: ChargedContact }) => ({
        node: { ...edge.node, additionalCharges: null },
      })),
    );
    expect(result.errors).toEqual(
      listed.edges.map((_edge: unknown, i: number) =>
        upstreamError("MONEYBIRD", ["contacts", "edges", i, "node", "additionalCharges"]),
      ),
    );
  });

  it("one contact's charges failing nulls only that contact's charges", async () => {
    const { contacts: listed } = await executeOk(gateway(), MONEYBIRD_CONTACTS);
    const nodes: ChargedContact[] = listed.edges.map((edge: { node: ChargedContact }) => edge.node);
    const failing = nodes.findIndex((contact) => (contact.additionalCharges ?? []).length > 0);
    expect(failing).toBeGreaterThanOrEqual(0);
    const source = gateway().sources.moneybirdContacts;
    const read = source.listAdditionalCharges.bind(source);
    const failingRemoteId = nodes[failing]?.remoteId;
    vi.spyOn(source, "listAdditionalCharges").mockImplementation((contactId, includeBilled) =>
      contactId === failingRemoteId
        ? Promise.reject(unavailable("MONEYBIRD"))
        : read(contactId, includeBilled),
    );

    const result = await execute(gateway(), MONEYBIRD_CONTACTS);

    expect(result.data.contacts.edges.map((edge: { node: ChargedContact }) => edge.node)).toEqual(
      nodes.map((contact, i) => (i === failing ? { ...contact, additionalCharges: null } : contact)),
    );
    expect(result.errors).toEqual([
      upstreamError("MONEYBIRD", ["contacts", "edges", failing, "node", "additionalCharges"]),
    ]);
  });

  it("a contact whose payments mandate read fails is still the contact, with paymentsMandate null", async () => {
    vi.spyOn(gateway().sources.moneybirdContacts, "getPaymentsMandate").mockRejectedValue(
      unavailable("MONEYBIRD"),
    );

    const result = await execute(
      gateway(),
      `{ contactByCustomerId(customerId: "1") { customerId paymentsMandate { type } } }`,
    );

    expect(result.data.contactByCustomerId).toEqual({ customerId: "1", paymentsMandate: null });
    expect(result.errors).toEqual([upstreamError("MONEYBIRD", ["contactByCustomerId", "paymentsMandate"])]);
  });
});

describe("fields left non-null: a person's and a note's contact", () => {
  it("make no upstream call of their own when read: the contact they belong to is already loaded", async () => {
    const getByIds = vi
      .spyOn(gateway().sources.moneybirdContacts, "getByIds")
      .mockRejectedValue(unavailable("MONEYBIRD"));

    const data = await executeOk(
      gateway(),
      `{
        contacts(first: 100, filter: { providers: [MONEYBIRD] }) {
          edges { node { id ... on MoneybirdContact {
            contactPersons { edges { node { contact { id } } } }
            notes { contact { id } }
          } } }
        }
        byCustomerId: contactByCustomerId(customerId: "7") {
          id contactPersons { edges { node { contact { id } } } } notes { contact { id } }
        }
      }`,
    );

    const withPeople = data.contacts.edges.filter(
      (edge: { node: { contactPersons: { edges: unknown[] } } }) => edge.node.contactPersons.edges.length > 0,
    );
    expect(withPeople.length).toBeGreaterThan(0);
    expect(data.byCustomerId).not.toBeNull();
    expect(getByIds).not.toHaveBeenCalled();
  });

  it("after a person is written, a failed read of its contact is contained by the success (its id stays known)", async () => {
    const { contacts } = await executeOk(
      gateway(),
      "{ contacts(first: 1, filter: { providers: [MONEYBIRD] }) { edges { node { id } } } }",
    );
    vi.spyOn(gateway().sources.moneybirdContacts, "getByIds").mockRejectedValue(unavailable("MONEYBIRD"));

    const result = await execute(
      gateway(),
      mutationDocument(
        "createContactPerson",
        "input",
        "contactPersonId contactPerson { firstName contact { id } }",
      ),
      { input: { contactId: contacts.edges[0].node.id, firstName: "Partial", lastName: "Result" } },
    );

    expect(result.data.result).toEqual({
      __typename: "CreateContactPersonSuccess",
      contactPersonId: expect.any(String),
      contactPerson: null,
    });
    expect(result.errors).toEqual([upstreamError("MONEYBIRD", ["result", "contactPerson", "contact"])]);
  });
});
