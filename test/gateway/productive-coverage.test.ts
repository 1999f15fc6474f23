import { describe, expect, it } from "vitest";
import { mutate, mutationDocument, useGateway, validationError } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

/** Issue 13 through the schema: every documented Productive attribute, filter and owner. */

const COMPANY = `
  id remoteId name buyerReference defaultSubsidiaryId defaultTaxRateId defaultDocumentTypeId
  contact {
    emails { name email contactDatumId }
    phones { name phone contactDatumId }
    websites { name website contactDatumId }
    addresses { name billingAddress city state zipcode country contactDatumId }
  }
  contactEntries { edges { node { remoteId type } } }
`;
const ENTRY = "id remoteId type contactableType contactableId name company { id }";

const CREATE_COMPANY = mutationDocument("createCompany", "input", `company { ${COMPANY} }`);
const UPDATE_COMPANY = mutationDocument("updateCompany", "input", `company { ${COMPANY} }`);
const ARCHIVE_COMPANY = mutationDocument("archiveCompany", "id", "company { id archivedAt }");
const CREATE_ENTRY = mutationDocument("createContactEntry", "input", `contactEntry { ${ENTRY} }`);

const COMPANY_IDS = `query ($filter: CompanyFilter) { companies(first: 100, filter: $filter) { edges { node { id } } } }`;
const ENTRY_IDS = `query ($filter: ContactEntryFilter) { contactEntries(first: 100, filter: $filter) { edges { node { ${ENTRY} } } } }`;

const nodesOf = (connection: { edges: { node: unknown }[] }) => connection.edges.map((edge) => edge.node);

describe("Productive coverage through GraphQL", () => {
  const gateway = useGateway("each");

  const companyIds = async (filter: Record<string, unknown>) =>
    nodesOf((await executeOk(gateway(), COMPANY_IDS, { filter })).companies).map(
      (node) => (node as { id: string }).id,
    );

  it("creates and updates a company with its reference attributes and reads its contact attribute typed", async () => {
    const created = await mutate(gateway(), CREATE_COMPANY, {
      input: {
        name: "Coverage Ltd",
        buyerReference: "BUYER123",
        defaultSubsidiaryId: "5",
        defaultTaxRateId: "6",
        defaultDocumentTypeId: "7",
        contact: { emails: [{ name: "Email", email: "contact@coverage.test" }] },
      },
    });
    const company = created.company;
    const emailEntry = company.contactEntries.edges[0].node;
    expect(company).toMatchObject({
      buyerReference: "BUYER123",
      defaultSubsidiaryId: "5",
      defaultTaxRateId: "6",
      defaultDocumentTypeId: "7",
      contact: {
        emails: [{ name: "Email", email: "contact@coverage.test", contactDatumId: emailEntry.remoteId }],
        phones: [],
        websites: [],
        addresses: [],
      },
    });

    const updated = await mutate(gateway(), UPDATE_COMPANY, {
      input: {
        id: company.id,
        buyerReference: null,
        defaultTaxRateId: "16",
        contact: { websites: [{ name: "Site", website: "coverage.test" }] },
      },
    });
    expect(updated.company).toMatchObject({
      buyerReference: null,
      defaultSubsidiaryId: "5",
      defaultTaxRateId: "16",
      contact: { emails: [], websites: [{ name: "Site", website: "coverage.test" }] },
    });
    expect(
      updated.company.contactEntries.edges.map((edge: { node: { type: string } }) => edge.node.type),
    ).toEqual(["EMAIL", "WEBSITE"]);
  });

  it("reports a related id that is no integer at its input field", async () => {
    const result = await executeOk(gateway(), mutationDocument("createCompany", "input", "company { id }"), {
      input: { name: "X", defaultSubsidiaryId: "five" },
    });
    expect(result.result).toEqual(validationError([["input", "defaultSubsidiaryId"], "is not a number"]));
  });

  it("filters companies by the new id filters and with Productive's date operators", async () => {
    const { company } = await mutate(gateway(), CREATE_COMPANY, {
      input: { name: "Filtered", defaultSubsidiaryId: "41", defaultTaxRateId: "42" },
    });
    await mutate(gateway(), ARCHIVE_COMPANY, { id: company.id });
    expect(await companyIds({ defaultSubsidiaryIds: ["41"] })).toEqual([company.id]);
    expect(await companyIds({ subsidiaryIds: ["41"] })).toEqual([company.id]);
    expect(await companyIds({ defaultTaxRateIds: ["42"] })).toEqual([company.id]);
    expect(await companyIds({ companyIds: [company.id] })).toEqual([company.id]);
    expect(await companyIds({ projectIds: ["1"] })).toEqual([]);
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    expect(await companyIds({ archivedAt: { gtEq: anHourAgo } })).toEqual([company.id]);
    expect(await companyIds({ createdAt: { gtEq: anHourAgo }, archivedAt: { lt: anHourAgo } })).toEqual([]);
    expect(await companyIds({ lastActivityAt: { gt: anHourAgo } })).toContain(company.id);
  });

  it("answers a comma inside a filter value with BAD_USER_INPUT", async () => {
    for (const [query, filter] of [
      [COMPANY_IDS, { name: "Acme, Inc" }],
      [COMPANY_IDS, { tags: ["a,b"] }],
      [ENTRY_IDS, { personIds: ["1,2"] }],
    ] as const) {
      const result = await execute(gateway(), query, { filter });
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining("containing a comma"),
          extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }),
        }),
      ]);
    }
  });

  it("creates contact entries of a person, an invoice, a subsidiary and a purchase order, and filters by owner", async () => {
    const owners = [
      ["PERSON", "90061"],
      ["INVOICE", "90062"],
      ["SUBSIDIARY", "90063"],
      ["PURCHASE_ORDER", "90064"],
    ] as const;
    const created: Record<string, string> = {};
    for (const [contactableType, contactableId] of owners) {
      const { contactEntry } = await mutate(gateway(), CREATE_ENTRY, {
        input: { contactableType, contactableId, type: "ADDRESS", name: "Office", address: "1 Main St" },
      });
      expect(contactEntry).toMatchObject({ contactableType, contactableId, company: null });
      created[contactableType] = contactEntry.id;
    }
    const entryIds = async (filter: Record<string, unknown>) =>
      nodesOf((await executeOk(gateway(), ENTRY_IDS, { filter })).contactEntries).map(
        (node) => (node as { id: string }).id,
      );
    expect(await entryIds({ personIds: ["90061"] })).toEqual([created.PERSON]);
    expect(await entryIds({ invoiceIds: ["90062"] })).toEqual([created.INVOICE]);
    expect(await entryIds({ subsidiaryIds: ["90063"] })).toEqual([created.SUBSIDIARY]);
    expect(await entryIds({ contactableIds: ["90061", "90064"] })).toEqual([
      created.PERSON,
      created.PURCHASE_ORDER,
    ]);
  });

  it("asks for the owner as companyId, or as contactableType with contactableId", async () => {
    const { companies } = await executeOk(gateway(), "{ companies(first: 1) { edges { node { id } } } }");
    const companyId = companies.edges[0].node.id;
    const owner = "give the owner as companyId, or as contactableType with contactableId";
    for (const input of [
      { companyId, contactableType: "PERSON", contactableId: "1" },
      { contactableType: "PERSON" },
      {},
    ]) {
      const result = await executeOk(
        gateway(),
        mutationDocument("createContactEntry", "input", "contactEntry { id }"),
        { input: { ...input, type: "EMAIL", name: "E", email: "a@b.co" } },
      );
      expect(result.result).toEqual(
        validationError(
          [["input", "companyId"], owner],
          [["input", "contactableType"], owner],
          [["input", "contactableId"], owner],
        ),
      );
    }
  });
});
