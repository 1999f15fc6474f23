import { afterEach, describe, expect, it, vi } from "vitest";
import { UpstreamError } from "../../src/errors.ts";
import { useGateway } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

/** Documents with several mutations, and results read after the write: what a client sees as a whole. */

const gateway = useGateway("each");
afterEach(() => {
  vi.restoreAllMocks();
});

describe("a document with several mutations", () => {
  it("one malformed id leaves the other results standing (a ValidationError in its own union)", async () => {
    const result = await executeOk(
      gateway(),
      `mutation {
        created: createCompany(input: { name: "Kept Ltd", domain: "kept.example" }) {
          __typename ... on CreateCompanySuccess { company { id name } }
        }
        refused: archiveCompany(id: "not-an-id") {
          __typename ... on ValidationError { fieldErrors { path message } }
        }
      }`,
    );
    expect(result.created).toMatchObject({
      __typename: "CreateCompanySuccess",
      company: { name: "Kept Ltd" },
    });
    expect(result.refused).toEqual({
      __typename: "ValidationError",
      fieldErrors: [{ path: ["id"], message: '"not-an-id" is not a valid id' }],
    });
  });

  it("a record read again after a later write in the same document is the written one, not the first read", async () => {
    const { companies } = await executeOk(
      gateway(),
      "{ companies(first: 1) { edges { node { id name } } } }",
    );
    const company = companies.edges[0].node;
    const result = await executeOk(
      gateway(),
      `mutation ($company: ID!) {
        before: createContactEntry(input: { companyId: $company, type: EMAIL, name: "First", email: "a@x.example" }) {
          ... on CreateContactEntrySuccess { contactEntry { company { name } } }
        }
        rename: updateCompany(input: { id: $company, name: "Renamed Within" }) {
          ... on UpdateCompanySuccess { company { name } }
        }
        after: createContactEntry(input: { companyId: $company, type: EMAIL, name: "Second", email: "b@x.example" }) {
          ... on CreateContactEntrySuccess { contactEntry { company { name } } }
        }
      }`,
      { company: company.id },
    );
    expect(result.before.contactEntry.company.name).toBe(company.name);
    expect(result.rename.company.name).toBe("Renamed Within");
    expect(result.after.contactEntry.company.name).toBe("Renamed Within");
  });
});

describe("a write that landed is reported as landed", () => {
  const MANDATE = `
    mutation ($contactId: ID!) {
      requestPaymentsMandate(input: { contactId: $contactId }) {
        __typename
        ... on RequestPaymentsMandateSuccess { contact { id } }
        ... on UpstreamError { code writeLanded }
      }
    }
  `;

  async function aMoneybirdContactId(): Promise<string> {
    const { contacts } = await executeOk(
      gateway(),
      "{ contacts(first: 1, filter: { providers: [MONEYBIRD] }) { edges { node { id } } } }",
    );
    return contacts.edges[0].node.id;
  }

  it("a mandate request whose contact cannot be read back is a success, with the read's error in errors", async () => {
    const contactId = await aMoneybirdContactId();
    const request = vi.spyOn(gateway().sources.moneybirdContacts, "requestPaymentsMandate");
    vi.spyOn(gateway().sources.moneybirdContacts, "getByIds").mockRejectedValue(
      new UpstreamError("MONEYBIRD", "RATE_LIMITED", "Moneybird answered 429", 300),
    );
    const result = await execute(gateway(), MANDATE, { contactId });
    expect(result.data.requestPaymentsMandate).toEqual({
      __typename: "RequestPaymentsMandateSuccess",
      contact: null,
    });
    expect(result.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [["requestPaymentsMandate", "contact"], "RATE_LIMITED"],
    ]);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it("the contact is not read back when the result does not select it", async () => {
    const contactId = await aMoneybirdContactId();
    const getByIds = vi.spyOn(gateway().sources.moneybirdContacts, "getByIds");
    const result = await executeOk(
      gateway(),
      "mutation ($contactId: ID!) { requestPaymentsMandate(input: { contactId: $contactId }) { __typename } }",
      { contactId },
    );
    expect(result.requestPaymentsMandate.__typename).toBe("RequestPaymentsMandateSuccess");
    expect(getByIds).not.toHaveBeenCalled();
  });

  it("an adapter's read-back failure after a write is an UpstreamError with writeLanded: true", async () => {
    vi.spyOn(gateway().sources.freeAgentContacts, "create").mockRejectedValue(
      new UpstreamError("FREEAGENT", "UNAVAILABLE", "FreeAgent answered 503").afterLandedWrite(
        "Creating FreeAgent contact 70",
      ),
    );
    const result = await executeOk(
      gateway(),
      `mutation {
        createContact(input: { provider: FREEAGENT, companyName: "Landed Ltd" }) {
          __typename ... on UpstreamError { code writeLanded message }
        }
      }`,
    );
    expect(result.createContact).toMatchObject({
      __typename: "UpstreamError",
      code: "UNAVAILABLE",
      writeLanded: true,
      message: expect.stringContaining("Creating FreeAgent contact 70 landed"),
    });
  });

  it("a refused write says it did not land", async () => {
    vi.spyOn(gateway().sources.freeAgentContacts, "create").mockRejectedValue(
      new UpstreamError("FREEAGENT", "RATE_LIMITED", "FreeAgent answered 429", 60),
    );
    const result = await executeOk(
      gateway(),
      `mutation { createContact(input: { provider: FREEAGENT, companyName: "Not Landed" }) {
        ... on UpstreamError { writeLanded } } }`,
    );
    expect(result.createContact).toEqual({ writeLanded: false });
  });
});

describe("what a success reads back", () => {
  it("a created company whose selected entries cannot be read is still a success, with its id and the company", async () => {
    vi.spyOn(gateway().sources.contactEntries, "listByCompanyIds").mockRejectedValue(
      new UpstreamError("PRODUCTIVE", "UNAVAILABLE", "Productive answered 503"),
    );
    const result = await execute(
      gateway(),
      `mutation {
        created: createCompany(input: { name: "Read Back Ltd", domain: "read-back.example" }) {
          __typename
          ... on CreateCompanySuccess { companyId company { name contactEntries { totalCount } } }
        }
        other: createCompany(input: { name: "Other Ltd", domain: "other-ltd.example" }) {
          __typename ... on CreateCompanySuccess { company { name } }
        }
      }`,
    );
    // The entries are nullable (an upstream call of their own): only they are null, not the company.
    expect(result.data.created).toEqual({
      __typename: "CreateCompanySuccess",
      companyId: expect.any(String),
      company: { name: "Read Back Ltd", contactEntries: null },
    });
    expect(result.data.other).toEqual({ __typename: "CreateCompanySuccess", company: { name: "Other Ltd" } });
    expect(result.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [["created", "company", "contactEntries"], "UPSTREAM_UNAVAILABLE"],
    ]);
    const { node } = await executeOk(
      gateway(),
      "query ($id: ID!) { node(id: $id) { ... on Company { name } } }",
      {
        id: result.data.created.companyId,
      },
    );
    expect(node).toEqual({ name: "Read Back Ltd" });
  });

  it("a payments mandate read again after its deletion in the same document is gone", async () => {
    const { contacts } = await executeOk(
      gateway(),
      "{ contacts(first: 100, filter: { providers: [MONEYBIRD] }) { edges { node { id ... on MoneybirdContact { paymentsMandate { type } } } } } }",
    );
    const withMandate = contacts.edges.find(
      (edge: { node: { paymentsMandate: unknown } }) => edge.node.paymentsMandate !== null,
    );
    const result = await executeOk(
      gateway(),
      `mutation ($id: ID!) {
        before: updateContact(input: { id: $id, phone: "+31 20 123 4567" }) {
          ... on UpdateContactSuccess { contact { ... on MoneybirdContact { paymentsMandate { type } } } }
        }
        after: deletePaymentsMandate(contactId: $id) {
          ... on DeletePaymentsMandateSuccess { contact { paymentsMandate { type } } }
        }
      }`,
      { id: withMandate.node.id },
    );
    expect(result.before.contact.paymentsMandate).not.toBeNull();
    expect(result.after.contact.paymentsMandate).toBeNull();
  });
});
