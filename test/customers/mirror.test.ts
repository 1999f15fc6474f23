import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Provider } from "../../src/domain/common.ts";
import { openFaultHarness } from "../faults/harness.ts";
import { clientRequestsSince, requestCounts, upstreamOf } from "../mirror/upstream.ts";
import { executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";

/**
 * Customers over live providers kept by the mirror: matching runs on the mirrored records, and a
 * page of companies with their customers' contacts sends no request of its own to any provider.
 */

// biome-ignore lint/suspicious/noExplicitAny: each query reads the shape it selects
type Data = any;

const PROVIDERS: Provider[] = ["PRODUCTIVE", "MONEYBIRD", "FREEAGENT"];
const ENV = {
  MIRROR: "on",
  MIRROR_INTERVAL_S: "1",
  MIRROR_SWEEP_INTERVAL_S: "1",
  CUSTOMER_MATCH_INTERVAL_MS: "100",
};

const WALK = `query Walk @mirror(maxAgeSeconds: 60) { companies(first: 10) { edges { node { name
  customer { providers contacts { __typename displayName } links { node { id } matchedBy } } } } } }`;

describe("customers over mirrored providers", () => {
  let harness: Awaited<ReturnType<typeof openFaultHarness>>;
  beforeEach(async () => {
    harness = await openFaultHarness(ENV, quietLogger, {
      seed: (fakes) => {
        fakes.PRODUCTIVE.addCompany({ name: "Kestrel Foods", vat: "NL853210274B01" });
        fakes.FREEAGENT.seed({
          organisation_name: "Kestrel Foods Ltd",
          sales_tax_registration_number: "nl 853210274 b01",
        });
      },
    });
  });
  afterEach(() => harness.close());

  it("links the records of three live tools, and walks them without a request to any provider", async () => {
    await upstreamOf(harness.fakes()).createMoneybirdContact({
      company_name: "Kestrel Foods B.V.",
      tax_number: "NL 8532.10.274.B01",
    });
    const deadline = Date.now() + 15_000;
    let company: Data;
    for (;;) {
      const { companies } = await executeOk(harness.gateway(), WALK);
      company = companies.edges.find((edge: Data) => edge.node.name === "Kestrel Foods")?.node;
      if (company?.customer?.providers.length === 3 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(company.customer.providers).toEqual(PROVIDERS);
    expect(company.customer.contacts.map((contact: Data) => contact.displayName).sort()).toEqual([
      "Kestrel Foods B.V.",
      "Kestrel Foods Ltd",
    ]);
    for (const link of company.customer.links) expect(link.matchedBy).toContain("VAT");

    const before = requestCounts(harness);
    await executeOk(harness.gateway(), WALK);
    expect(clientRequestsSince(harness, before)).toEqual([]);
  });
});
