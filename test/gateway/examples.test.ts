import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useGateway } from "../support/gateway.ts";
import { executeOk } from "../support/graphql.ts";

/** The example operations frontends copy (examples/operations) run as written against the gateway. */
const operation = (name: string) =>
  readFileSync(new URL(`../../examples/operations/${name}.graphql`, import.meta.url), "utf8");

describe("example operations", () => {
  const gateway = useGateway("each");

  it("CompanyList pages through companies with their entries", async () => {
    const first = await executeOk(gateway(), operation("company-list"), { first: 2 });
    expect(first.companies.edges).toHaveLength(2);
    expect(first.companies.edges[0].node.contactEntries.edges.length).toBeGreaterThan(0);
    const next = await executeOk(gateway(), operation("company-list"), {
      first: 2,
      after: first.companies.pageInfo.endCursor,
    });
    expect(next.companies.edges[0].node.id).not.toBe(first.companies.edges[1].node.id);
  });

  it("ContactDetail reads a Moneybird contact with its people and a FreeAgent contact", async () => {
    const list = await executeOk(
      gateway(),
      "{ mb: contacts(first: 40, filter: { providers: [MONEYBIRD] }) { edges { node { id ... on MoneybirdContact { contactPersons { totalCount } } } } } fa: contacts(first: 1, filter: { providers: [FREEAGENT] }) { edges { node { id } } } }",
    );
    const withPeople = list.mb.edges.find(
      (edge: { node: { contactPersons: { totalCount: number } } }) => edge.node.contactPersons.totalCount > 0,
    );
    const moneybird = await executeOk(gateway(), operation("contact-detail"), { id: withPeople.node.id });
    expect(moneybird.node).toMatchObject({ __typename: "MoneybirdContact", provider: "MONEYBIRD" });
    expect(moneybird.node.contactPersons.edges.length).toBe(moneybird.node.contactPersons.totalCount);
    const freeAgent = await executeOk(gateway(), operation("contact-detail"), {
      id: list.fa.edges[0].node.id,
    });
    expect(freeAgent.node).toMatchObject({ __typename: "FreeAgentContact", provider: "FREEAGENT" });
  });

  it("CreateCompany answers success, then a ValidationError for the same domain", async () => {
    const input = { name: "Example Works", domain: "example-works.test" };
    const created = await executeOk(gateway(), operation("create-company"), { input });
    expect(created.createCompany).toMatchObject({
      __typename: "CreateCompanySuccess",
      company: { name: "Example Works", domain: "example-works.test" },
    });
    const again = await executeOk(gateway(), operation("create-company"), { input });
    expect(again.createCompany).toMatchObject({
      __typename: "ValidationError",
      fieldErrors: [{ path: ["input", "domain"], message: "domain already taken" }],
    });
  });
});
