import { describe, expect, it } from "vitest";
import {
  type CandidateChange,
  CandidateIndex,
  type CustomerCandidate,
  type CustomerGroup,
  customerList,
  MATCH_THRESHOLD,
  type ManualDecisions,
  type MatchResult,
  matchCustomers,
  pairsOf,
  rematch,
} from "../../src/contacts/customers/match.ts";
import { type FixtureRecord, fixture } from "./fixture.ts";

const match = (
  records: readonly FixtureRecord[] | readonly CustomerCandidate[],
  decisions?: ManualDecisions,
) =>
  matchCustomers(
    new CandidateIndex(records.map((record) => ("candidate" in record ? record.candidate : record))),
    decisions ? { decisions } : {},
  );

const groupOf = (result: MatchResult, nodeId: string): CustomerGroup => {
  const key = result.customerOf.get(nodeId);
  const customer = key === undefined ? undefined : result.customers.get(key);
  if (!customer) throw new Error(`no customer for ${nodeId}`);
  return customer;
};
const together = (result: MatchResult, x: string, y: string) =>
  result.customerOf.get(x) === result.customerOf.get(y);
const linkOf = (result: MatchResult, nodeId: string) =>
  groupOf(result, nodeId).links.find((link) => link.nodeId === nodeId);

describe("precision and recall against the ground truth", () => {
  it("links the fixture's customers with precision ≥ 0.95 and recall ≥ 0.9", () => {
    const records = fixture();
    const result = match(records);
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    const mistakes: string[] = [];
    for (let i = 0; i < records.length; i++) {
      for (let j = i + 1; j < records.length; j++) {
        const x = records[i] as FixtureRecord;
        const y = records[j] as FixtureRecord;
        const predicted = together(result, x.candidate.nodeId, y.candidate.nodeId);
        const actual = x.truth === y.truth;
        if (predicted && actual) truePositives++;
        else if (predicted) {
          falsePositives++;
          mistakes.push(`false link ${x.candidate.nodeId} ~ ${y.candidate.nodeId}`);
        } else if (actual) {
          falseNegatives++;
          mistakes.push(`missed ${x.candidate.nodeId} ~ ${y.candidate.nodeId} (${x.truth})`);
        }
      }
    }
    const precision = truePositives / (truePositives + falsePositives);
    const recall = truePositives / (truePositives + falseNegatives);
    const customers = new Set(records.map((record) => record.truth)).size;
    console.log(
      `customer matching: ${records.length} records of ${customers} customers, ${truePositives + falseNegatives} true pairs; ` +
        `precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}\n  ${mistakes.join("\n  ")}`,
    );
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });
});

describe("the traps", () => {
  const result = match(fixture());

  it("never links on a shared info@gmail.com", () => {
    expect(together(result, "MoneybirdContact:4001", "FreeAgentContact:4002")).toBe(false);
    expect(together(result, "MoneybirdContact:4001", "MoneybirdContact:4003")).toBe(false);
    expect(pairsOf(result, "MoneybirdContact:4001")).toEqual([]);
  });

  it("keeps same-name companies apart, and reports their different VAT numbers", () => {
    expect(together(result, "MoneybirdContact:4011", "FreeAgentContact:4012")).toBe(false);
    const [nearMiss] = pairsOf(result, "MoneybirdContact:4011");
    expect(nearMiss?.accepted).toBe(false);
    expect(nearMiss?.matchedBy).toEqual(["NAME"]);
    expect(nearMiss?.conflicts.map((conflict) => conflict.kind)).toEqual(["VAT_MISMATCH"]);
    expect(together(result, "MoneybirdContact:4031", "Company:4032")).toBe(false);
  });

  it("links one VAT number under two names, showing the conflict", () => {
    expect(together(result, "Company:4021", "MoneybirdContact:4022")).toBe(true);
    const link = linkOf(result, "MoneybirdContact:4022");
    expect(link?.matchedBy).toEqual(["VAT"]);
    expect(link?.confidence).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(link?.confidence).toBeLessThan(0.97);
    expect(link?.conflicts).toEqual([
      expect.objectContaining({ kind: "NAME_MISMATCH", with: "Company:4021" }),
    ]);
    expect(link?.pairs[0]?.evidence).toEqual([{ reason: "VAT", value: "NL855512301B01", weight: 0.97 }]);
  });

  it("links a person's own public address only with the same name", () => {
    expect(together(result, "MoneybirdContact:4041", "FreeAgentContact:4042")).toBe(true);
    expect(linkOf(result, "FreeAgentContact:4042")?.matchedBy).toEqual(["EMAIL", "NAME"]);
    expect(together(result, "MoneybirdContact:4051", "FreeAgentContact:4052")).toBe(false);
    expect(together(result, "MoneybirdContact:4061", "FreeAgentContact:4062")).toBe(false);
  });

  it("does not link two clients on their bookkeeper's address", () => {
    expect(together(result, "MoneybirdContact:4071", "FreeAgentContact:4072")).toBe(false);
    const [nearMiss] = pairsOf(result, "MoneybirdContact:4071");
    expect(nearMiss?.matchedBy).toEqual(["EMAIL"]);
    expect(nearMiss?.conflicts[0]?.kind).toBe("NAME_MISMATCH");
  });

  it("merges a same-provider duplicate on its KvK number, never two records on a name", () => {
    expect(groupOf(result, "MoneybirdContact:4081").nodeIds).toEqual([
      "Company:4083",
      "MoneybirdContact:4081",
      "MoneybirdContact:4082",
    ]);
    expect(groupOf(result, "Company:4083").displayName).toBe("Dubbelzes");
    expect(together(result, "MoneybirdContact:4091", "MoneybirdContact:4092")).toBe(false);
  });

  it("reads GB as UK and EL as GR", () => {
    expect(linkOf(result, "FreeAgentContact:4102")?.matchedBy).toEqual(["VAT", "DOMAIN", "NAME"]);
    expect(groupOf(result, "Company:4113").nodeIds).toHaveLength(3);
  });
});

describe("rules", () => {
  const company = (id: string, fields: Partial<CustomerCandidate>): CustomerCandidate => ({
    nodeId: `Company:${id}`,
    provider: "PRODUCTIVE",
    kind: "Company",
    name: "Acme",
    vat: null,
    chamberOfCommerce: null,
    domain: null,
    emails: [],
    ...fields,
  });
  const contact = (id: string, fields: Partial<CustomerCandidate>): CustomerCandidate => ({
    nodeId: `MoneybirdContact:${id}`,
    provider: "MONEYBIRD",
    kind: "MoneybirdContact",
    name: "Acme B.V.",
    vat: null,
    chamberOfCommerce: null,
    domain: null,
    emails: [],
    ...fields,
  });

  it("never links on a name alone", () => {
    const result = match([company("1", {}), contact("1", {})]);
    expect(result.customers.size).toBe(2);
    expect(pairsOf(result, "Company:1")[0]).toMatchObject({
      matchedBy: ["NAME"],
      confidence: 0.5,
      accepted: false,
    });
  });

  it("links a company's domain to a contact's address there", () => {
    const result = match([company("1", { domain: "acme.nl" }), contact("1", { emails: ["jan@acme.nl"] })]);
    expect(linkOf(result, "MoneybirdContact:1")).toMatchObject({
      matchedBy: ["DOMAIN", "NAME"],
      confidence: 0.9,
    });
  });

  it("lets different VAT numbers outweigh a domain and a name", () => {
    const result = match([
      company("1", { domain: "acme.nl", vat: "NL111111111B01" }),
      contact("1", { emails: ["jan@acme.nl"], vat: "NL222222222B01" }),
    ]);
    expect(result.customers.size).toBe(2);
    expect(pairsOf(result, "Company:1")[0]?.conflicts[0]?.kind).toBe("VAT_MISMATCH");
  });

  it("keeps two VAT numbers apart when only a third record would join them, and shows them when a person does", () => {
    const records = [
      company("1", { vat: "NL111111111B01", domain: "acme.nl" }),
      contact("1", { vat: "NL111111111B01", emails: ["a@acme.nl"] }),
      contact("2", { chamberOfCommerce: "12345678", emails: ["b@acme.nl"], name: "Acme Holding" }),
      { ...contact("3", { chamberOfCommerce: "12345678" }), vat: "NL999999999B01" },
    ];
    const result = match(records);
    // The strongest ties come first: the domain tie between the two numbered parts is refused.
    expect(groupOf(result, "Company:1").nodeIds).toEqual(["Company:1", "MoneybirdContact:1"]);
    expect(groupOf(result, "MoneybirdContact:3").nodeIds).toEqual([
      "MoneybirdContact:2",
      "MoneybirdContact:3",
    ]);
    expect(pairsOf(result, "Company:1").find((pair) => pair.b === "MoneybirdContact:2")?.accepted).toBe(true);

    const linked = match(records, {
      links: [{ nodeIds: ["Company:1", "MoneybirdContact:3"], at: "2025-01-01T00:00:00Z" }],
      unlinks: [],
    });
    const customer = groupOf(linked, "Company:1");
    expect(customer.nodeIds).toHaveLength(4);
    expect(customer.conflicts.map((conflict) => conflict.kind)).toEqual(["VAT_MISMATCH"]);
  });

  it("keeps manual decisions: a link joins, an unlink stands a record alone for good", () => {
    const records = [
      company("1", { domain: "acme.nl" }),
      contact("1", { emails: ["jan@acme.nl"] }),
      contact("2", { name: "Something Else" }),
    ];
    const decisions: ManualDecisions = {
      links: [{ nodeIds: ["Company:1", "MoneybirdContact:2"], at: "2025-01-01T00:00:00Z" }],
      unlinks: [{ nodeId: "MoneybirdContact:1", at: "2025-01-02T00:00:00Z" }],
    };
    const result = match(records, decisions);
    expect(groupOf(result, "Company:1").nodeIds).toEqual(["Company:1", "MoneybirdContact:2"]);
    expect(linkOf(result, "MoneybirdContact:2")).toMatchObject({
      matchedBy: ["MANUAL"],
      manual: true,
      confidence: 1,
    });
    expect(groupOf(result, "MoneybirdContact:1").nodeIds).toEqual(["MoneybirdContact:1"]);
    // Even with a VAT number in common now, the unlinked record stays alone.
    const index = new CandidateIndex(records);
    const before = matchCustomers(index, { decisions });
    const after = rematch(
      before,
      [
        { ...contact("1", { emails: ["jan@acme.nl"] }), vat: "NL111111111B01" },
        company("1", { domain: "acme.nl", vat: "NL111111111B01" }),
      ],
      index,
    );
    expect(groupOf(after, "MoneybirdContact:1").nodeIds).toEqual(["MoneybirdContact:1"]);
  });

  it("suppresses one pair, and says so when others still join it", () => {
    const records = [
      company("1", { domain: "acme.nl" }),
      contact("1", { emails: ["jan@acme.nl"] }),
      contact("2", { emails: ["jan@acme.nl"] }),
    ];
    const unlinkPair: ManualDecisions = {
      links: [],
      unlinks: [{ nodeId: "Company:1", from: "MoneybirdContact:1", at: "2025-01-01T00:00:00Z" }],
    };
    const result = match(records, unlinkPair);
    const customer = groupOf(result, "Company:1");
    expect(customer.nodeIds).toHaveLength(3);
    expect(customer.conflicts.map((conflict) => conflict.kind)).toEqual(["SUPPRESSED_PAIR_JOINED"]);
    expect(pairsOf(result, "Company:1").find((pair) => pair.b === "MoneybirdContact:1")?.suppressed).toBe(
      true,
    );
  });
});

describe("rematch", () => {
  /** A customer list compared whole: what the store would write. */
  const snapshot = (result: MatchResult) => JSON.stringify(customerList(result));

  /** Seeded, so a failure reproduces. */
  function random(seed: number) {
    let state = seed >>> 0;
    return () => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  it("gives what a full match gives, on random changes", () => {
    const records = fixture().map((record) => record.candidate);
    const decisions: ManualDecisions = {
      links: [{ nodeIds: ["MoneybirdContact:4061", "FreeAgentContact:4062"], at: "2025-01-01T00:00:00Z" }],
      unlinks: [{ nodeId: "MoneybirdContact:4022", from: "Company:4021", at: "2025-01-01T00:00:00Z" }],
    };
    const next = random(16);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const live = new Map(records.map((record) => [record.nodeId, record]));
    const index = new CandidateIndex(live.values());
    let result = matchCustomers(index, { decisions });
    const values = {
      vat: [...records.flatMap((record) => record.vat ?? []), null],
      chamberOfCommerce: [...records.flatMap((record) => record.chamberOfCommerce ?? []), null],
      domain: [...records.flatMap((record) => record.domain ?? []), null],
      email: records.flatMap((record) => record.emails),
      name: records.map((record) => record.name),
    };
    let created = 0;
    for (let round = 0; round < 150; round++) {
      const changes: CandidateChange[] = [];
      for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
        const roll = next();
        const existing = pick([...live.values()]);
        if (roll < 0.15) {
          live.delete(existing.nodeId);
          changes.push({ nodeId: existing.nodeId, removed: true });
          continue;
        }
        const base: CustomerCandidate =
          roll < 0.3 ? { ...existing, nodeId: `${existing.kind}:new-${created++}` } : { ...existing };
        const field = pick(["vat", "chamberOfCommerce", "domain", "email", "name"] as const);
        const changed: CustomerCandidate =
          field === "email"
            ? { ...base, emails: next() < 0.5 ? [pick(values.email)] : [] }
            : field === "name"
              ? { ...base, name: pick(values.name) }
              : { ...base, [field]: pick(values[field]) };
        live.set(changed.nodeId, changed);
        changes.push(changed);
      }
      result = rematch(result, changes, index);
      const full = matchCustomers(new CandidateIndex(live.values()), { decisions });
      expect(snapshot(result), `round ${round}`).toBe(snapshot(full));
      expect(result.customerOf).toEqual(full.customerOf);
    }
  });

  it("reports the customers it rewrote", () => {
    const records = fixture().map((record) => record.candidate);
    const index = new CandidateIndex(records);
    const before = matchCustomers(index);
    const key = before.customerOf.get("Company:4021") as string;
    const after = rematch(before, [{ nodeId: "MoneybirdContact:4022", removed: true }], index);
    expect(after.written).toEqual([key]);
    expect(after.removed).toEqual([]);
    expect(groupOf(after, "Company:4021").nodeIds).toEqual(["Company:4021"]);
  });
});
