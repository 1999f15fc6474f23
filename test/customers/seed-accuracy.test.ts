import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CandidateIndex,
  type CustomerCandidate,
  type MatchResult,
  matchCustomers,
  pairsOf,
  toCandidate,
} from "../../src/contacts/customers/match.ts";
import { emailDomain, normaliseVat } from "../../src/contacts/customers/normalise.ts";
import { displayName, type Provider } from "../../src/domain/index.ts";
import { type LocalStore, openStore } from "../../src/store/index.ts";
import { SEED_SIZE } from "../../src/store/seed.ts";
import { SEED_CUSTOMERS } from "../../src/store/seed-customers.ts";
import { listAll } from "../contract/support.ts";

/**
 * Customer matching over the whole seeded store, read through the ports as the mirror reads a
 * live tool, against the seed's ground truth (src/store/seed-customers.ts).
 */

interface Seeded {
  candidate: CustomerCandidate;
  name: string;
  /** The real customer: a shared customer's name, or the record's own node id. */
  truth: string;
}

async function readSeeded(store: LocalStore): Promise<Seeded[]> {
  const records = [
    ...(await listAll((page) => store.companies.list({}, { field: "NAME", direction: "ASC" }, page))),
    ...(await listAll((page) => store.moneybirdContacts.list({ includeArchived: true }, page))),
    ...(await listAll((page) => store.freeAgentContacts.list({ view: "ALL" }, page))),
  ];
  const seeded = records.map((record) => {
    const candidate = toCandidate(record);
    const name = record.kind === "Company" ? record.name : displayName(record);
    return { candidate, name, truth: candidate.nodeId };
  });
  const byName = new Map<string, Seeded[]>();
  for (const record of seeded) {
    const key = `${record.candidate.provider}:${record.name}`;
    byName.set(key, [...(byName.get(key) ?? []), record]);
  }
  for (const { customer, records: members } of SEED_CUSTOMERS) {
    for (const { provider, name } of members) {
      const found = byName.get(`${provider}:${name}`) ?? [];
      expect(found, `${customer}: ${provider} "${name}"`).toHaveLength(1);
      (found[0] as Seeded).truth = customer;
    }
  }
  return seeded;
}

/**
 * The random FreeAgent generator draws organisation names from a small set (10 × 8 × 3 for ~140
 * organisations), and derives the mail domain from the name: a repeated name with an address at
 * that domain in common, and no two VAT numbers, is one business entered twice (a duplicate by any
 * finance team's standard). A shared gmail address of two individuals is no such evidence.
 */
function generatorDuplicates(records: readonly Seeded[]): Map<string, string> {
  const randomFreeAgent = records.filter(
    (record) => record.candidate.provider === "FREEAGENT" && record.truth === record.candidate.nodeId,
  );
  const parent = new Map(randomFreeAgent.map((record) => [record.candidate.nodeId, record.candidate.nodeId]));
  const root = (id: string): string => {
    const up = parent.get(id) as string;
    return up === id ? id : root(up);
  };
  const companyEmails = (record: Seeded) =>
    new Set(
      record.candidate.emails.map((email) => email.toLowerCase()).filter((email) => emailDomain(email)),
    );
  const vat = (record: Seeded) => normaliseVat(record.candidate.vat)?.number;
  for (const [i, x] of randomFreeAgent.entries()) {
    for (const y of randomFreeAgent.slice(i + 1)) {
      const shared = [...companyEmails(x)].some((email) => companyEmails(y).has(email));
      const twoVats = vat(x) !== undefined && vat(y) !== undefined && vat(x) !== vat(y);
      if (x.name === y.name && shared && !twoVats)
        parent.set(root(y.candidate.nodeId), root(x.candidate.nodeId));
    }
  }
  return new Map(randomFreeAgent.map((record) => [record.candidate.nodeId, root(record.candidate.nodeId)]));
}

interface Scored {
  precision: number;
  recall: number;
  truePairs: number;
  falseLinks: [Seeded, Seeded][];
  missed: [Seeded, Seeded][];
}

/** Precision and recall over pairs: a pair is predicted when matching puts both in one customer. */
function score(records: readonly Seeded[], result: MatchResult, truthOf: (record: Seeded) => string): Scored {
  let truePositives = 0;
  const falseLinks: [Seeded, Seeded][] = [];
  const missed: [Seeded, Seeded][] = [];
  for (const [i, x] of records.entries()) {
    for (const y of records.slice(i + 1)) {
      const predicted =
        result.customerOf.get(x.candidate.nodeId) === result.customerOf.get(y.candidate.nodeId);
      const actual = truthOf(x) === truthOf(y);
      if (predicted && actual) truePositives++;
      else if (predicted) falseLinks.push([x, y]);
      else if (actual) missed.push([x, y]);
    }
  }
  return {
    precision: truePositives / (truePositives + falseLinks.length),
    recall: truePositives / (truePositives + missed.length),
    truePairs: truePositives + missed.length,
    falseLinks,
    missed,
  };
}

const describePair = ([x, y]: [Seeded, Seeded]) =>
  `${x.candidate.nodeId} "${x.name}" ~ ${y.candidate.nodeId} "${y.name}"`;

describe("customer matching over the seeded store", () => {
  let store: LocalStore;
  let records: Seeded[];
  let result: MatchResult;
  const nodeIdsOf = (customer: string, provider?: Provider) =>
    records
      .filter((record) => record.truth === customer && (!provider || record.candidate.provider === provider))
      .map((record) => record.candidate.nodeId);
  const only = (customer: string, provider?: Provider) => {
    const [nodeId, ...more] = nodeIdsOf(customer, provider);
    if (!nodeId || more.length > 0) throw new Error(`not one record of ${customer}`);
    return nodeId;
  };
  const together = (x: string, y: string) => result.customerOf.get(x) === result.customerOf.get(y);

  beforeAll(async () => {
    store = await openStore({ url: ":memory:" });
    records = await readSeeded(store);
    result = matchCustomers(new CandidateIndex(records.map((record) => record.candidate)));
  });
  afterAll(async () => {
    await store.close();
  });

  it("reads every seeded record", () => {
    const count = (provider: Provider) => records.filter((r) => r.candidate.provider === provider).length;
    expect(count("PRODUCTIVE")).toBe(SEED_SIZE.productiveCompanies);
    expect(count("MONEYBIRD")).toBe(SEED_SIZE.moneybirdContacts);
    expect(count("FREEAGENT")).toBe(SEED_SIZE.freeAgentContacts);
  });

  it("links the seed's customers with precision ≥ 0.95 and recall ≥ 0.9", () => {
    const duplicates = generatorDuplicates(records);
    const strict = score(records, result, (record) => record.truth);
    const scored = score(
      records,
      result,
      (record) => duplicates.get(record.candidate.nodeId) ?? record.truth,
    );
    const customers = new Set(
      records.map((record) => duplicates.get(record.candidate.nodeId) ?? record.truth),
    );
    console.log(
      `seeded store: ${records.length} records of ${customers.size} customers, ${scored.truePairs} true pairs; ` +
        `precision ${scored.precision.toFixed(3)}, recall ${scored.recall.toFixed(3)} ` +
        `(every random record alone: precision ${strict.precision.toFixed(3)}, recall ${strict.recall.toFixed(3)})` +
        `\n  ${[
          ...scored.falseLinks.map((pair) => `false link ${describePair(pair)}`),
          ...scored.missed.map((pair) => `missed ${describePair(pair)}`),
          ...strict.falseLinks.map((pair) => `random duplicate linked ${describePair(pair)}`),
        ].join("\n  ")}`,
    );
    expect(scored.precision).toBeGreaterThanOrEqual(0.95);
    expect(scored.recall).toBeGreaterThanOrEqual(0.9);
    // Any accidental link other than the generator's duplicates is a real false positive.
    for (const [x, y] of strict.falseLinks) {
      expect(duplicates.get(x.candidate.nodeId), describePair([x, y])).toBeDefined();
      expect(duplicates.get(x.candidate.nodeId)).toBe(duplicates.get(y.candidate.nodeId));
    }
  });

  it("finds every customer the seed has in all three tools", () => {
    const inThree = SEED_CUSTOMERS.filter((customer) => customer.records.length === 3);
    expect(inThree.length).toBeGreaterThanOrEqual(8);
    for (const { customer } of inThree) {
      const [first, ...others] = nodeIdsOf(customer);
      for (const other of others) expect(together(first as string, other), customer).toBe(true);
    }
    const spanning = [...result.customers.values()].filter(
      (customer) => new Set(customer.links.map((link) => link.provider)).size === 3,
    );
    expect(spanning.length).toBeGreaterThanOrEqual(inThree.length);
  });

  it("does not link on a bookkeeper's own public address", () => {
    expect(together(only("bakkerij-zonneveld"), only("kroon-tiling"))).toBe(false);
    expect(together(only("fietsenwinkel-rood"), only("schildersbedrijf-maas"))).toBe(false);
    const [nearMiss] = pairsOf(result, only("bakkerij-zonneveld"));
    expect(nearMiss?.accepted).toBe(false);
    expect(nearMiss?.conflicts.map((conflict) => conflict.kind)).toContain("NAME_MISMATCH");
  });

  it("takes info@gmail.com for no evidence at all", () => {
    const placeholders = ["snackbar-de-hoek", "kapsalon-lokken", "corner-cafe"].map((customer) =>
      only(customer),
    );
    for (const nodeId of placeholders) {
      const others = pairsOf(result, nodeId).flatMap((pair) => [pair.a, pair.b]);
      expect(others.filter((other) => placeholders.includes(other) && other !== nodeId)).toEqual([]);
    }
  });

  it("keeps same-name companies with different VAT numbers apart, and reports the conflict", () => {
    const zwolle = only("vermeer-zwolle");
    const utrecht = only("vermeer-utrecht", "MONEYBIRD");
    expect(together(zwolle, utrecht)).toBe(false);
    const pair = pairsOf(result, zwolle).find(
      (candidate) => candidate.a === utrecht || candidate.b === utrecht,
    );
    expect(pair?.accepted).toBe(false);
    expect(pair?.conflicts.map((conflict) => conflict.kind)).toEqual(["VAT_MISMATCH"]);
    expect(together(utrecht, only("vermeer-utrecht", "PRODUCTIVE"))).toBe(true);
  });

  it("never links similar names alone", () => {
    expect(together(only("noordster-media"), only("noordster-media-producties"))).toBe(false);
    expect(together(only("ashgrove-consulting-group"), only("ashgrove-consulting"))).toBe(false);
  });

  it("links a trading name to the legal name on the VAT number, showing the conflict", () => {
    const moneybird = only("noorderzon-studio", "MONEYBIRD");
    expect(together(only("noorderzon-studio", "PRODUCTIVE"), moneybird)).toBe(true);
    const link = result.customers
      .get(result.customerOf.get(moneybird) as string)
      ?.links.find((candidate) => candidate.nodeId === moneybird);
    expect(link?.matchedBy).toEqual(["VAT"]);
    expect(link?.conflicts.map((conflict) => conflict.kind)).toEqual(["NAME_MISMATCH"]);
  });
});
