import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { UpstreamError } from "../../src/errors.ts";
import type { Gateway } from "../../src/gateway.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import { mutate, mutationDocument, notFound, useGateway, validationError } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";

const COMPANY = `
  id remoteId name billingName vat defaultCurrency companyCode domain description dueDays tags avatarUrl
  externalId customFields status archivedAt createdAt lastActivityAt raw
`;
const ENTRY = `
  id remoteId type contactableType name email phone website address city state zipcode country vat billingAddress
  company { id } raw
`;

const CREATE_COMPANY = mutationDocument(
  "createCompany",
  "input",
  `company { ${COMPANY} contactEntries { edges { node { ${ENTRY} } } } }`,
);
const UPDATE_COMPANY = mutationDocument("updateCompany", "input", `company { ${COMPANY} }`);
const ARCHIVE_COMPANY = mutationDocument("archiveCompany", "id", `company { ${COMPANY} }`);
const RESTORE_COMPANY = mutationDocument("restoreCompany", "id", `company { ${COMPANY} }`);
const CREATE_ENTRY = mutationDocument("createContactEntry", "input", `contactEntry { ${ENTRY} }`);
const UPDATE_ENTRY = mutationDocument("updateContactEntry", "input", `contactEntry { ${ENTRY} }`);
const DELETE_ENTRY = mutationDocument("deleteContactEntry", "id", "deletedId");

const COMPANY_NODE = `query ($id: ID!) { node(id: $id) { ... on Company { ${COMPANY} } } }`;
const ENTRY_NODE = `query ($id: ID!) { node(id: $id) { ... on ContactEntry { ${ENTRY} } } }`;
const TOTALS = `{ companies(first: 0) { totalCount } contactEntries(first: 0) { totalCount } }`;

const MISSING_COMPANY = encodeGlobalId("Company", "999999");
const MISSING_ENTRY = encodeGlobalId("ContactEntry", "999999");

async function companyNode(gateway: Gateway, id: string) {
  return (await executeOk(gateway, COMPANY_NODE, { id })).node;
}

async function entryNode(gateway: Gateway, id: string) {
  return (await executeOk(gateway, ENTRY_NODE, { id })).node;
}

/** Two companies of the seed: one to change, one whose domain is taken. */
async function seededCompanies(gateway: Gateway) {
  const data = await executeOk(
    gateway,
    `{ companies(first: 2) { edges { node { ${COMPANY} contactEntries { edges { node { ${ENTRY} } } } } } } }`,
  );
  const [target, other] = data.companies.edges.map((edge: { node: unknown }) => edge.node);
  return { target, other };
}

describe("company and contact entry mutations", () => {
  describe("that write", () => {
    const gateway = useGateway("each");

    it("createCompany creates the company with its contact details as contact entries", async () => {
      const before = await executeOk(gateway(), TOTALS);
      const fields = {
        name: "Acme Comp",
        billingName: "Acme Comp d.o.o.",
        vat: "HR12345678901",
        defaultCurrency: "EUR",
        domain: "acme.example",
        description: "Anvils",
        dueDays: 30,
        tags: ["partner", "priority"],
        externalId: "crm-77",
        customFields: { "4201": "gold" },
      };
      const result = await mutate(gateway(), CREATE_COMPANY, {
        input: {
          ...fields,
          contact: {
            emails: [{ email: "hello@acme.example" }],
            phones: [{ name: "Office", phone: "+385 1 234 5678" }],
            websites: [{ website: "https://acme.example" }],
            addresses: [
              { name: "HQ", billingAddress: "Ilica 1", city: "Zagreb", zipcode: "10000", country: "Croatia" },
            ],
          },
        },
      });
      expect(result.__typename).toBe("CreateCompanySuccess");
      const { contactEntries, ...company } = result.company;
      expect(company).toMatchObject({ ...fields, companyCode: "ACME", status: "ACTIVE", archivedAt: null });
      expect(company.id).toBe(encodeGlobalId("Company", company.remoteId));
      expect(contactEntries.edges.map((edge: { node: Record<string, unknown> }) => edge.node)).toMatchObject([
        { type: "EMAIL", name: "Email", email: "hello@acme.example", company: { id: company.id } },
        { type: "PHONE", name: "Office", phone: "+385 1 234 5678" },
        { type: "WEBSITE", name: "Website", website: "https://acme.example" },
        {
          type: "ADDRESS",
          name: "HQ",
          address: "Ilica 1",
          city: "Zagreb",
          zipcode: "10000",
          country: "Croatia",
        },
      ]);

      expect(await companyNode(gateway(), company.id)).toEqual(company);
      expect(await executeOk(gateway(), TOTALS)).toEqual({
        companies: { totalCount: before.companies.totalCount + 1 },
        contactEntries: { totalCount: before.contactEntries.totalCount + 4 },
      });
      const listed = await executeOk(
        gateway(),
        `{ companies(filter: { name: "acme comp" }) { edges { node { id } } } }`,
      );
      expect(listed.companies.edges).toEqual([{ node: { id: company.id } }]);
    });

    it("updateCompany changes the fields given, clears those set to null, and leaves the rest", async () => {
      const { target } = await seededCompanies(gateway());
      const result = await mutate(gateway(), UPDATE_COMPANY, {
        input: {
          id: target.id,
          name: "Renamed Ltd",
          domain: "renamed.example",
          tags: ["retainer"],
          vat: null,
        },
      });
      const { contactEntries, ...before } = target;
      expect(result).toEqual({
        __typename: "UpdateCompanySuccess",
        company: {
          ...before,
          name: "Renamed Ltd",
          domain: "renamed.example",
          tags: ["retainer"],
          vat: null,
          raw: expect.objectContaining({
            attributes: expect.objectContaining({
              name: "Renamed Ltd",
              domain: "renamed.example",
              vat: null,
            }),
          }),
        },
      });
      expect(await companyNode(gateway(), target.id)).toEqual(result.company);
    });

    it("archiveCompany archives (once: archiving again keeps the time), restoreCompany restores", async () => {
      const { target } = await seededCompanies(gateway());
      const archived = await mutate(gateway(), ARCHIVE_COMPANY, { id: target.id });
      expect(archived.company).toMatchObject({
        id: target.id,
        status: "ARCHIVED",
        archivedAt: expect.any(String),
      });
      const again = await mutate(gateway(), ARCHIVE_COMPANY, { id: target.id });
      expect(again.company.archivedAt).toBe(archived.company.archivedAt);
      const inArchive = await executeOk(
        gateway(),
        `{ companies(first: 100, filter: { status: ARCHIVED }) { edges { node { id } } } }`,
      );
      expect(inArchive.companies.edges).toContainEqual({ node: { id: target.id } });

      const restored = await mutate(gateway(), RESTORE_COMPANY, { id: target.id });
      expect(restored.company).toMatchObject({ id: target.id, status: "ACTIVE", archivedAt: null });
      expect(await companyNode(gateway(), target.id)).toEqual(restored.company);
    });

    it("createContactEntry adds an entry to the company; updateContactEntry changes it; deleteContactEntry removes it", async () => {
      const { target } = await seededCompanies(gateway());
      const created = await mutate(gateway(), CREATE_ENTRY, {
        input: { companyId: target.id, type: "EMAIL", name: "Billing", email: "billing@example.com" },
      });
      expect(created.contactEntry).toMatchObject({
        type: "EMAIL",
        contactableType: "COMPANY",
        name: "Billing",
        email: "billing@example.com",
        company: { id: target.id },
      });
      const entryId = created.contactEntry.id;
      const entriesOf = async () =>
        (
          await executeOk(
            gateway(),
            `query ($id: ID!) { node(id: $id) { ... on Company { contactEntries { edges { node { id } } } } } }`,
            { id: target.id },
          )
        ).node.contactEntries.edges.map((edge: { node: { id: string } }) => edge.node.id);
      expect(await entriesOf()).toEqual([
        ...target.contactEntries.edges.map((edge: { node: { id: string } }) => edge.node.id),
        entryId,
      ]);

      const updated = await mutate(gateway(), UPDATE_ENTRY, {
        input: { id: entryId, email: "invoices@example.com", name: "Invoices" },
      });
      expect(updated.contactEntry).toEqual({
        ...created.contactEntry,
        email: "invoices@example.com",
        name: "Invoices",
        raw: expect.anything(),
      });
      expect(await entryNode(gateway(), entryId)).toEqual(updated.contactEntry);

      expect(await mutate(gateway(), DELETE_ENTRY, { id: entryId })).toEqual({
        __typename: "DeleteContactEntrySuccess",
        deletedId: entryId,
      });
      const gone = await execute(gateway(), ENTRY_NODE, { id: entryId });
      expect(gone.data.node).toBeNull();
      expect(gone.errors?.map((error) => error.extensions?.code)).toEqual(["NOT_FOUND"]);
      expect(await entriesOf()).not.toContain(entryId);
      expect(await mutate(gateway(), DELETE_ENTRY, { id: entryId })).toEqual(notFound(entryId));
    });
  });

  describe("that fail write nothing", () => {
    const gateway = useGateway("all");
    afterEach(() => {
      vi.restoreAllMocks();
    });
    let target: Record<string, unknown> & {
      id: string;
      contactEntries: { edges: { node: { id: string } }[] };
    };
    let other: { domain: string };
    let totals: unknown;
    beforeAll(async () => {
      ({ target, other } = await seededCompanies(gateway()));
      totals = await executeOk(gateway(), TOTALS);
    });

    /** After each refusal: the same number of records, and the company and its first entry unchanged. */
    async function expectNothingWritten() {
      expect(await executeOk(gateway(), TOTALS)).toEqual(totals);
      const { contactEntries, ...company } = target;
      expect(await companyNode(gateway(), target.id)).toEqual(company);
      const entry = contactEntries.edges[0]?.node as { id: string };
      expect(await entryNode(gateway(), entry.id)).toEqual(entry);
    }

    describe("createCompany: each documented 422, at its input path", () => {
      it.each([
        ["a blank name", { name: "" }, [[["input", "name"], "can't be blank"]]],
        [
          "a public mail domain",
          { name: "X", domain: "gmail.com" },
          [[["input", "domain"], "public domains are not allowed"]],
        ],
        [
          "a taken domain",
          () => ({ name: "X", domain: other.domain }),
          [[["input", "domain"], "domain already taken"]],
        ],
        [
          "an empty domain",
          { name: "X", domain: "" },
          [[["input", "domain"], "domain can't be empty string"]],
        ],
        [
          "a malformed domain",
          { name: "X", domain: "invalid@format" },
          [[["input", "domain"], "domain format not valid"]],
        ],
        [
          "a blank name and a public domain, together",
          { name: "  ", domain: "gmail.com" },
          [
            [["input", "name"], "can't be blank"],
            [["input", "domain"], "public domains are not allowed"],
          ],
        ],
      ] as const)("%s", async (_name, input, errors) => {
        const result = await mutate(gateway(), CREATE_COMPANY, {
          input: typeof input === "function" ? input() : input,
        });
        expect(result).toEqual(validationError(...(errors as unknown as [string[], string][])));
        await expectNothingWritten();
      });
    });

    describe("updateCompany: each documented 422, and clearing the name", () => {
      it.each([
        ["a blank name", { name: "" }, [[["input", "name"], "can't be blank"]]],
        ["a null name", { name: null }, [[["input", "name"], "can't be blank"]]],
        [
          "a public mail domain",
          { domain: "gmail.com" },
          [[["input", "domain"], "public domains are not allowed"]],
        ],
        ["a taken domain", () => ({ domain: other.domain }), [[["input", "domain"], "domain already taken"]]],
        ["an empty domain", { domain: "" }, [[["input", "domain"], "domain can't be empty string"]]],
        [
          "a malformed domain",
          { domain: "invalid@format", vat: "NL1" },
          [[["input", "domain"], "domain format not valid"]],
        ],
      ] as const)("%s", async (_name, patch, errors) => {
        const input = { id: target.id, ...(typeof patch === "function" ? patch() : patch) };
        expect(await mutate(gateway(), UPDATE_COMPANY, { input })).toEqual(
          validationError(...(errors as unknown as [string[], string][])),
        );
        await expectNothingWritten();
      });
    });

    it("contact entries: a blank name on create and update, clearing the type", async () => {
      const entryId = target.contactEntries.edges[0]?.node.id;
      const invalid = [
        [CREATE_ENTRY, { input: { companyId: target.id, type: "PHONE", name: "", phone: "+1 555" } }],
        [UPDATE_ENTRY, { input: { id: entryId, name: " " } }],
        [UPDATE_ENTRY, { input: { id: entryId, name: null } }],
      ] as const;
      for (const [mutation, variables] of invalid) {
        expect(await mutate(gateway(), mutation, variables)).toEqual(
          validationError([["input", "name"], "can't be blank"]),
        );
      }
      expect(await mutate(gateway(), UPDATE_ENTRY, { input: { id: entryId, type: null } })).toEqual(
        validationError([["input", "type"], "can't be blank"]),
      );
      await expectNothingWritten();
    });

    it("UpstreamError with the provider's code and retryAfterSeconds when Productive refuses", async () => {
      vi.spyOn(gateway().sources.companies, "create").mockRejectedValue(
        new UpstreamError("PRODUCTIVE", "RATE_LIMITED", "Productive answered 429", 10),
      );
      expect(await mutate(gateway(), CREATE_COMPANY, { input: { name: "Acme Comp" } })).toEqual({
        __typename: "UpstreamError",
        message: "Productive answered 429",
        provider: "PRODUCTIVE",
        code: "RATE_LIMITED",
        retryAfterSeconds: 10,
      });
      await expectNothingWritten();
    });

    it("NotFoundError with the id for a record that does not exist", async () => {
      expect(await mutate(gateway(), UPDATE_COMPANY, { input: { id: MISSING_COMPANY, name: "X" } })).toEqual(
        notFound(MISSING_COMPANY),
      );
      expect(await mutate(gateway(), ARCHIVE_COMPANY, { id: MISSING_COMPANY })).toEqual(
        notFound(MISSING_COMPANY),
      );
      expect(await mutate(gateway(), RESTORE_COMPANY, { id: MISSING_COMPANY })).toEqual(
        notFound(MISSING_COMPANY),
      );
      expect(
        await mutate(gateway(), CREATE_ENTRY, {
          input: { companyId: MISSING_COMPANY, type: "EMAIL", name: "Work", email: "a@b.example" },
        }),
      ).toEqual(notFound(MISSING_COMPANY));
      expect(await mutate(gateway(), UPDATE_ENTRY, { input: { id: MISSING_ENTRY, name: "X" } })).toEqual(
        notFound(MISSING_ENTRY),
      );
      expect(await mutate(gateway(), DELETE_ENTRY, { id: MISSING_ENTRY })).toEqual(notFound(MISSING_ENTRY));
      await expectNothingWritten();
    });

    it("a ValidationError at the id argument for an id that is malformed or names another type", async () => {
      const entryId = target.contactEntries.edges[0]?.node.id as string;
      const refused = [
        [UPDATE_COMPANY, { input: { id: entryId, name: "X" } }, ["input", "id"]],
        [ARCHIVE_COMPANY, { id: "garbage" }, ["id"]],
        [RESTORE_COMPANY, { id: encodeGlobalId("MoneybirdContact", "1") }, ["id"]],
        [
          CREATE_ENTRY,
          { input: { companyId: entryId, type: "EMAIL", name: "Work" } },
          ["input", "companyId"],
        ],
        [UPDATE_ENTRY, { input: { id: target.id, name: "X" } }, ["input", "id"]],
        [DELETE_ENTRY, { id: target.id }, ["id"]],
      ] as const;
      for (const [mutation, variables, path] of refused) {
        const result = await mutate(gateway(), mutation, variables);
        expect(result, JSON.stringify(variables)).toEqual(validationError([[...path], expect.any(String)]));
      }
      await expectNothingWritten();
    });
  });
});
