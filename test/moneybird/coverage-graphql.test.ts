import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import { unreachedRateLimitsEnv } from "../fakes/exchange.ts";
import { type FakeMoneybird, startFakeMoneybird } from "../fakes/moneybird.ts";
import { openGateway } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";

/**
 * Moneybird's coverage fields (issue 13) through GraphQL: what createContact writes, what the
 * contact reads back, and the list's filters and parameters, against the store and against the
 * live adapter over the fake Moneybird.
 */

interface Backend {
  gateway: Gateway;
  close(): Promise<void>;
}

const BACKENDS: [string, () => Promise<Backend>][] = [
  [
    "the store",
    async () => {
      const gateway = await openGateway();
      return { gateway, close: () => gateway.close() };
    },
  ],
  [
    "the live adapter and the fake Moneybird",
    async () => {
      const fake: FakeMoneybird = await startFakeMoneybird();
      const gateway = await createGateway({
        logger: quietLogger,
        config: loadConfig({
          STORE_URL: ":memory:",
          MONEYBIRD_API_TOKEN: fake.config.apiToken,
          MONEYBIRD_ADMINISTRATION_ID: fake.config.administrationId,
          MONEYBIRD_BASE_URL: fake.origin,
          MONEYBIRD_RATE_LIMITS: unreachedRateLimitsEnv("MONEYBIRD"),
        }),
      });
      return {
        gateway,
        async close() {
          await gateway.close();
          await fake.close();
          expect(fake.violations).toEqual([]);
        },
      };
    },
  ],
];

const CREATE = `
  mutation ($input: CreateContactInput!) {
    createContact(input: $input) {
      __typename
      ... on ValidationError { fieldErrors { path message } }
      ... on CreateContactSuccess { contactId }
    }
  }
`;

const FIELDS = `
  id
  ... on MoneybirdContact {
    attention sendEstimatesToAttention emailUbl directDebit invoiceWorkflowId estimateWorkflowId
    siIdentifier siIdentifierType isTrusted hasPaymentsMandate maxTransferAmount taxNumberValid
    taxNumberValidatedAt salesInvoicesUrl creditCard { number reference type }
    sepa { active iban ibanAccountName bic mandateId mandateDate sequenceType }
    events { action userId createdAt data }
    customFields { id value }
  }
`;

const LIST = `
  query ($filter: ContactFilter) {
    contacts(filter: $filter, first: 50) { edges { node { id } } }
  }
`;

describe.each(BACKENDS)("Moneybird coverage through GraphQL, served by %s", (_name, setup) => {
  let backend: Backend;
  beforeEach(async () => {
    backend = await setup();
  });
  afterEach(() => backend.close());

  // A name no seeded contact has, so that the store's seed data stays out of the lists.
  const UNIQUE = "Zwaluwstaart";
  const create = async (input: Record<string, unknown>) => {
    const data = await executeOk(backend.gateway, CREATE, { input: { provider: "MONEYBIRD", ...input } });
    expect(data.createContact.__typename).toBe("CreateContactSuccess");
    return data.createContact.contactId as string;
  };
  const listed = async (filter: Record<string, unknown>) => {
    const data = await executeOk(backend.gateway, LIST, {
      filter: { providers: ["MONEYBIRD"], ...filter },
    });
    return data.contacts.edges.map((edge: { node: { id: string } }) => edge.node.id);
  };

  it("writes SEPA, workflows, e-invoicing and attention fields and reads them back with the read-only ones", async () => {
    const id = await create({
      companyName: `${UNIQUE} B.V.`,
      attention: "Finance",
      sendEstimatesToAttention: "Sales",
      emailUbl: false,
      directDebit: true,
      invoiceWorkflowId: "11",
      estimateWorkflowId: "12",
      siIdentifier: "1234567",
      siIdentifierType: "0106",
      customFields: [{ id: "4960814000000101", value: "Anna" }],
      sepa: {
        active: true,
        iban: "NL91ABNA0417164300",
        ibanAccountName: `${UNIQUE} B.V.`,
        bic: "ABNANL2A",
        mandateId: "M-1",
        mandateDate: "2020-01-31",
        sequenceType: "FRST",
      },
    });

    const { node } = await executeOk(backend.gateway, `query ($id: ID!) { node(id: $id) { ${FIELDS} } }`, {
      id,
    });

    expect(node).toMatchObject({
      attention: "Finance",
      sendEstimatesToAttention: "Sales",
      emailUbl: false,
      directDebit: true,
      invoiceWorkflowId: "11",
      estimateWorkflowId: "12",
      siIdentifier: "1234567",
      siIdentifierType: "0106",
      isTrusted: false,
      hasPaymentsMandate: false,
      maxTransferAmount: null,
      taxNumberValid: null,
      taxNumberValidatedAt: null,
      creditCard: null,
      sepa: {
        active: true,
        iban: "NL91ABNA0417164300",
        ibanAccountName: `${UNIQUE} B.V.`,
        bic: "ABNANL2A",
        mandateId: "M-1",
        mandateDate: "2020-01-31",
        sequenceType: "FRST",
      },
      events: [
        { action: "contact_created", userId: expect.any(String), createdAt: expect.any(String), data: {} },
      ],
      customFields: [{ id: "4960814000000101", value: "Anna" }],
    });
    expect(node.salesInvoicesUrl).toMatch(/^https:\/\//);
  });

  it("filters by the filter endpoint's keys and by the plain list's todo and contact_field/contact_value", async () => {
    const company = await create({
      companyName: `${UNIQUE} Holding`,
      deliveryMethod: "Post",
      invoiceWorkflowId: "21",
      estimateWorkflowId: "22",
      address: { city: "Zwaluwdam" },
    });
    const person = await create({ firstName: "Piet", lastName: UNIQUE, address: { city: "Elders" } });

    const byQuery = (filter: Record<string, unknown>) => listed({ query: UNIQUE, ...filter });
    expect(await byQuery({})).toEqual([company, person]);
    expect(await byQuery({ contactType: "COMPANY" })).toEqual([company]);
    expect(await byQuery({ contactType: "PRIVATE_INDIVIDUAL" })).toEqual([person]);
    expect(await byQuery({ deliveryMethod: "POST" })).toEqual([company]);
    expect(await byQuery({ trustedType: "NOT_TRUSTED" })).toEqual([company, person]);
    expect(await byQuery({ trustedType: "TRUSTED" })).toEqual([]);
    expect(await byQuery({ invoiceWorkflowId: "21" })).toEqual([company]);
    expect(await byQuery({ estimateWorkflowId: "22" })).toEqual([company]);
    expect(await listed({ contactField: "city", contactValue: "zwaluwdam" })).toEqual([company]);
    expect(await listed({ contactField: "lastname", contactValue: UNIQUE })).toEqual([person]);
    expect(await byQuery({ todo: "contact_email_delivery_failed" })).toEqual([]);
  });

  it("answers BAD_USER_INPUT for list parameters Moneybird cannot take, and for them beside FreeAgent", async () => {
    for (const filter of [
      { providers: ["MONEYBIRD"], todo: "overdue" },
      { providers: ["MONEYBIRD"], contactField: "city" },
      { providers: ["MONEYBIRD"], contactField: "sepa_iban", contactValue: "NL91" },
      { providers: ["MONEYBIRD"], contactField: "city", contactValue: "Zwaluwdam", firstName: "Piet" },
      { todo: "contact_email_delivery_failed" },
    ]) {
      const { data, errors } = await execute(backend.gateway, LIST, { filter });
      expect(data?.contacts ?? null, JSON.stringify(filter)).toBeNull();
      expect(
        errors?.map((error) => error.extensions?.code),
        JSON.stringify(filter),
      ).toEqual(["BAD_USER_INPUT"]);
    }
  });
});
