import type {
  Company,
  Conflict,
  CustomerRecord,
  CustomerRecordKind,
  Evidence,
  FreeAgentContact,
  LinkedPair,
  MatchReason,
  MoneybirdContact,
  Provider,
} from "../../domain/index.ts";
import { displayName, MATCH_REASONS, nodeIdOf } from "../../domain/index.ts";
import {
  compareNames,
  emailDomain,
  formatVat,
  isPublicMailDomain,
  isRoleAddress,
  type NameAgreement,
  nameTokens,
  normaliseChamberOfCommerce,
  normaliseDomain,
  normaliseEmails,
  normaliseVat,
  sameVat,
  type VatKey,
} from "./normalise.ts";

/**
 * Which records are one customer across Productive, Moneybird and FreeAgent (issue 16): pure code
 * over candidates, no I/O. The mirror feeds it records and changes; the store keeps its links.
 *
 * Scoring. Each kind of evidence between two records has a weight; the pair's confidence is their
 * noisy-OR (1 − Π(1 − w)), one weight per reason (five shared addresses are not five witnesses):
 *
 *   VAT equal                         0.97   strong: links alone
 *   chamber of commerce equal         0.95   strong: links alone
 *   exact email, company domain       0.90   medium-strong: links alone
 *   domain = domain / email domain    0.80   medium: links alone, at the threshold exactly
 *   exact email, public mail domain   0.60   a person's own gmail: links only with the same name
 *   name the same                     0.50   weak: never links alone
 *   name similar (words contained)    0.35   weak
 *
 * THRESHOLD 0.8: a pair links when its confidence is at least that. Conflicts lower it:
 * different VAT or chamber-of-commerce numbers on both sides (two legal entities) multiply it by
 * 0.4, so no domain or name agreement outweighs them; clearly different names multiply it by
 * 0.85, which keeps a VAT or chamber-of-commerce link (a trading name: 0.82) but drops a link
 * on one shared address or domain alone (a bookkeeper's address on two clients: 0.77).
 * Role addresses (info@, admin@…) at a public mail domain are no evidence: many records share
 * them as a placeholder. Two records of one provider link only on VAT, chamber of commerce or a
 * company-domain email (a duplicate); name, domain and public addresses do not count between them.
 */
export const MATCH_THRESHOLD = 0.8;
export const WEIGHTS = {
  VAT: 0.97,
  CHAMBER_OF_COMMERCE: 0.95,
  EMAIL: 0.9,
  DOMAIN: 0.8,
  PUBLIC_EMAIL: 0.6,
  NAME_SAME: 0.5,
  NAME_SIMILAR: 0.35,
} as const;
export const PENALTIES = { IDENTIFIER_MISMATCH: 0.4, NAME_MISMATCH: 0.85 } as const;

const REASON_ORDER = MATCH_REASONS;

export type CandidateKind = CustomerRecordKind;

/** What matching reads of a record, as typed in the tool; normalised here, once. */
export interface CustomerCandidate {
  /** `Kind:id`: unique across providers; the schema maps it to a global id. */
  nodeId: string;
  provider: Provider;
  kind: CandidateKind;
  name: string | null;
  /** Other names the record goes by (a Productive billing name), weak evidence as `name`. */
  otherNames?: readonly string[];
  vat: string | null;
  chamberOfCommerce: string | null;
  domain: string | null;
  emails: readonly string[];
  /** The address's country: the VAT prefix when the number was typed without one. */
  country?: string | null;
}

/** Productive has no chamber-of-commerce field (`companyCode` is the agency's own client code). */
export function companyCandidate(company: Company): CustomerCandidate {
  return {
    nodeId: nodeIdOf("Company", company.id),
    provider: "PRODUCTIVE",
    kind: "Company",
    name: company.name,
    otherNames: company.billingName ? [company.billingName] : [],
    vat: company.vat,
    chamberOfCommerce: null,
    domain: company.domain,
    emails: company.contact.emails.flatMap((item) => (item.email ? [item.email] : [])),
    country: company.contact.addresses.find((address) => address.country)?.country ?? null,
  };
}

/** Every address Moneybird keeps for the contact: its own, the invoice and estimate ones, its people's. */
export function moneybirdCandidate(contact: MoneybirdContact): CustomerCandidate {
  const emails = [contact.email, contact.sendInvoicesToEmail, contact.sendEstimatesToEmail];
  for (const person of contact.contactPersons) emails.push(person.email);
  return {
    nodeId: nodeIdOf("MoneybirdContact", contact.id),
    provider: "MONEYBIRD",
    kind: "MoneybirdContact",
    name: displayName(contact),
    vat: contact.taxNumber,
    chamberOfCommerce: contact.chamberOfCommerce,
    domain: null,
    emails: emails.filter((email): email is string => Boolean(email)),
    country: contact.address?.country ?? null,
  };
}

/** FreeAgent keeps a sales tax registration number and no registry number. */
export function freeAgentCandidate(contact: FreeAgentContact): CustomerCandidate {
  return {
    nodeId: nodeIdOf("FreeAgentContact", contact.id),
    provider: "FREEAGENT",
    kind: "FreeAgentContact",
    name: displayName(contact),
    vat: contact.taxNumber,
    chamberOfCommerce: null,
    domain: null,
    emails: [contact.email, contact.billingEmail].filter((email): email is string => Boolean(email)),
    country: contact.address?.country ?? null,
  };
}

export function toCandidate(record: CustomerRecord): CustomerCandidate {
  if (record.kind === "Company") return companyCandidate(record);
  return record.kind === "MoneybirdContact" ? moneybirdCandidate(record) : freeAgentCandidate(record);
}

// ---------------------------------------------------------------------------------------------
// The index

function getOrAdd<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** A candidate with its keys normalised: what scoring and the index use. */
interface Normalised {
  candidate: CustomerCandidate;
  vat: VatKey | null;
  chamberOfCommerce: string | null;
  /** The `domain` field's. */
  domain: string | null;
  emails: string[];
  /** Company domains of the addresses (public mail domains never). */
  emailDomains: Set<string>;
  names: string[][];
  keys: string[];
}

function normalise(candidate: CustomerCandidate): Normalised {
  const vat = normaliseVat(candidate.vat, candidate.country);
  const chamberOfCommerce = normaliseChamberOfCommerce(candidate.chamberOfCommerce);
  const domain = normaliseDomain(candidate.domain);
  const emails = normaliseEmails(candidate.emails);
  const emailDomains = new Set(emails.flatMap((email) => emailDomain(email) ?? []));
  const nameLists = [candidate.name, ...(candidate.otherNames ?? [])]
    .map((name) => nameTokens(name))
    .filter((tokens): tokens is string[] => tokens !== null);
  const keys = new Set<string>();
  if (vat) keys.add(`vat:${vat.number}`);
  if (chamberOfCommerce) keys.add(`coc:${chamberOfCommerce}`);
  if (domain) keys.add(`domain:${domain}`);
  for (const emailDomainKey of emailDomains) keys.add(`domain:${emailDomainKey}`);
  for (const email of emails) if (!isEvidenceless(email)) keys.add(`email:${email}`);
  // Names find pairs only so that a shared name with different numbers is reported (it never links alone).
  for (const tokens of nameLists) keys.add(`name:${tokens.join("")}`);
  return {
    candidate,
    vat,
    chamberOfCommerce,
    domain,
    emails,
    emailDomains,
    names: nameLists,
    keys: [...keys],
  };
}

const isEvidenceless = (email: string) => isPublicMailDomain(emailDomainOf(email)) && isRoleAddress(email);
const emailDomainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1);

/**
 * All candidates by normalised key, so a record's possible matches are the records sharing a
 * key with it: O(matches), never a scan. The mirror keeps one and hands it to `rematch`.
 */
export class CandidateIndex {
  readonly #records = new Map<string, Normalised>();
  readonly #buckets = new Map<string, Set<string>>();

  constructor(candidates: Iterable<CustomerCandidate> = []) {
    for (const candidate of candidates) this.upsert(candidate);
  }

  get size(): number {
    return this.#records.size;
  }

  upsert(candidate: CustomerCandidate): void {
    this.remove(candidate.nodeId);
    const record = normalise(candidate);
    this.#records.set(candidate.nodeId, record);
    for (const key of record.keys) {
      getOrAdd(this.#buckets, key, () => new Set<string>()).add(candidate.nodeId);
    }
  }

  remove(nodeId: string): void {
    const record = this.#records.get(nodeId);
    if (!record) return;
    this.#records.delete(nodeId);
    for (const key of record.keys) {
      const bucket = this.#buckets.get(key);
      bucket?.delete(nodeId);
      if (bucket?.size === 0) this.#buckets.delete(key);
    }
  }

  get(nodeId: string): CustomerCandidate | undefined {
    return this.#records.get(nodeId)?.candidate;
  }

  /** @internal the normalised record, for scoring. */
  normalised(nodeId: string): Normalised | undefined {
    return this.#records.get(nodeId);
  }

  nodeIds(): IterableIterator<string> {
    return this.#records.keys();
  }

  /** The records sharing at least one key with this one. */
  neighbours(nodeId: string): Set<string> {
    const found = new Set<string>();
    for (const key of this.#records.get(nodeId)?.keys ?? []) {
      for (const other of this.#buckets.get(key) ?? []) if (other !== nodeId) found.add(other);
    }
    return found;
  }
}

// ---------------------------------------------------------------------------------------------
// Scoring a pair

/** Two records compared. `a` < `b`, so a pair reads the same from both ends. */
export interface PairMatch {
  a: string;
  b: string;
  confidence: number;
  matchedBy: MatchReason[];
  evidence: Evidence[];
  conflicts: Conflict[];
  /** At or above the threshold and not suppressed by a manual unlink. */
  accepted: boolean;
  suppressed: boolean;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

function scorePair(x: Normalised, y: Normalised): Omit<PairMatch, "accepted" | "suppressed"> {
  const [left, right] = x.candidate.nodeId < y.candidate.nodeId ? [x, y] : [y, x];
  const sameProvider = left.candidate.provider === right.candidate.provider;
  const evidence: Evidence[] = [];
  const conflicts: Omit<Conflict, "with">[] = [];

  let identifierMismatch = false;
  if (left.vat && right.vat) {
    if (sameVat(left.vat, right.vat))
      evidence.push({ reason: "VAT", value: formatVat(left.vat), weight: WEIGHTS.VAT });
    else {
      identifierMismatch = true;
      conflicts.push({
        kind: "VAT_MISMATCH",
        detail: `VAT numbers differ: ${formatVat(left.vat)} / ${formatVat(right.vat)}`,
      });
    }
  }
  if (left.chamberOfCommerce && right.chamberOfCommerce) {
    if (left.chamberOfCommerce === right.chamberOfCommerce) {
      evidence.push({
        reason: "CHAMBER_OF_COMMERCE",
        value: left.chamberOfCommerce,
        weight: WEIGHTS.CHAMBER_OF_COMMERCE,
      });
    } else {
      identifierMismatch = true;
      conflicts.push({
        kind: "CHAMBER_OF_COMMERCE_MISMATCH",
        detail: `chamber of commerce numbers differ: ${left.chamberOfCommerce} / ${right.chamberOfCommerce}`,
      });
    }
  }

  const rightEmails = new Set(right.emails);
  const sharedEmails = left.emails.filter((email) => rightEmails.has(email) && !isEvidenceless(email)).sort();
  const companyEmail = sharedEmails.find((email) => !isPublicMailDomain(emailDomainOf(email)));
  const publicEmail = sharedEmails.find((email) => isPublicMailDomain(emailDomainOf(email)));
  if (companyEmail) evidence.push({ reason: "EMAIL", value: companyEmail, weight: WEIGHTS.EMAIL });
  else if (publicEmail && !sameProvider) {
    evidence.push({ reason: "EMAIL", value: publicEmail, weight: WEIGHTS.PUBLIC_EMAIL });
  }

  if (!sameProvider) {
    // A domain shared only through one shared address is that address's evidence, not a second
    // witness: a bookkeeper's facturen@ on two clients must not count twice.
    const shared = new Set(sharedEmails);
    const domainsOf = (record: Normalised, withShared: boolean) => {
      const domains = new Set(record.domain ? [record.domain] : []);
      for (const email of record.emails) {
        const domain = emailDomain(email);
        if (domain && (withShared || !shared.has(email))) domains.add(domain);
      }
      return domains;
    };
    const [leftAll, rightAll] = [domainsOf(left, true), domainsOf(right, true)];
    const [leftOwn, rightOwn] = [domainsOf(left, false), domainsOf(right, false)];
    const domain = [...leftAll]
      .filter((value) => rightAll.has(value) && (leftOwn.has(value) || rightOwn.has(value)))
      .sort()[0];
    if (domain) evidence.push({ reason: "DOMAIN", value: domain, weight: WEIGHTS.DOMAIN });
  }

  const names = bestNameAgreement(left.names, right.names);
  if (!sameProvider && names.agreement === "SAME") {
    evidence.push({ reason: "NAME", value: names.value, weight: WEIGHTS.NAME_SAME });
  } else if (!sameProvider && names.agreement === "SIMILAR") {
    evidence.push({ reason: "NAME", value: names.value, weight: WEIGHTS.NAME_SIMILAR });
  }
  const nameMismatch = names.agreement === "DIFFERENT" && evidence.length > 0;
  if (nameMismatch) {
    conflicts.push({
      kind: "NAME_MISMATCH",
      detail: `names differ: "${left.candidate.name ?? ""}" / "${right.candidate.name ?? ""}"`,
    });
  }

  let confidence = 1 - evidence.reduce((rest, item) => rest * (1 - item.weight), 1);
  if (evidence.length === 0) confidence = 0;
  if (identifierMismatch) confidence *= PENALTIES.IDENTIFIER_MISMATCH;
  if (nameMismatch) confidence *= PENALTIES.NAME_MISMATCH;
  const a = left.candidate.nodeId;
  const b = right.candidate.nodeId;
  return {
    a,
    b,
    confidence: round(confidence),
    matchedBy: sortReasons(evidence.map((item) => item.reason)),
    evidence,
    conflicts: conflicts.map((conflict) => ({ ...conflict, with: null })),
  };
}

function bestNameAgreement(
  left: readonly string[][],
  right: readonly string[][],
): { agreement: NameAgreement | null; value: string } {
  const rank: Record<NameAgreement, number> = { SAME: 3, SIMILAR: 2, UNRELATED: 1, DIFFERENT: 0 };
  let best: { agreement: NameAgreement | null; value: string } = { agreement: null, value: "" };
  for (const a of left) {
    for (const b of right) {
      const agreement = compareNames(a, b);
      if (best.agreement === null || rank[agreement] > rank[best.agreement]) {
        best = { agreement, value: a.length <= b.length ? a.join(" ") : b.join(" ") };
      }
    }
  }
  return best;
}

const sortReasons = (reasons: Iterable<MatchReason>): MatchReason[] =>
  [...new Set(reasons)].sort((x, y) => REASON_ORDER.indexOf(x) - REASON_ORDER.indexOf(y));

// ---------------------------------------------------------------------------------------------
// Manual decisions

/**
 * What people decided, in the order they decided it (`at`, ISO 8601). A link joins its records
 * whatever the evidence. An unlink of `nodeId` alone stands the record alone: no automatic match
 * touches it again, for good, and manual links made before it no longer hold (a later manual link
 * may join it again). An unlink with `from` suppresses that one pair the same way.
 */
export interface ManualDecisions {
  links: readonly { nodeIds: readonly string[]; at: string }[];
  unlinks: readonly { nodeId: string; from?: string | null; at: string }[];
}
const NO_DECISIONS: ManualDecisions = { links: [], unlinks: [] };

const pairKey = (x: string, y: string) => (x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`);

/** The decisions resolved once: what suppresses automatic pairs, and the manual pairs that hold. */
interface ResolvedDecisions {
  standalone: Map<string, string>;
  suppressed: Map<string, string>;
  /** nodeId → the records it was unlinked from, pair by pair. */
  suppressedWith: Map<string, string[]>;
  /** nodeId → other nodeId → when the holding manual link was made. */
  manual: Map<string, Map<string, string>>;
}

function resolveDecisions(decisions: ManualDecisions): ResolvedDecisions {
  const latest = (map: Map<string, string>, key: string, at: string) => {
    const known = map.get(key);
    if (known === undefined || at > known) map.set(key, at);
  };
  const standalone = new Map<string, string>();
  const suppressed = new Map<string, string>();
  const suppressedWith = new Map<string, string[]>();
  for (const unlink of decisions.unlinks) {
    if (unlink.from) {
      latest(suppressed, pairKey(unlink.nodeId, unlink.from), unlink.at);
      for (const [x, y] of [
        [unlink.nodeId, unlink.from],
        [unlink.from, unlink.nodeId],
      ] as const) {
        suppressedWith.set(x, [...(suppressedWith.get(x) ?? []), y]);
      }
    } else latest(standalone, unlink.nodeId, unlink.at);
  }
  // An unlink at the same instant as a link wins: the cautious reading.
  const undone = (x: string, y: string, at: string) =>
    (standalone.get(x) ?? "") >= at ||
    (standalone.get(y) ?? "") >= at ||
    (suppressed.get(pairKey(x, y)) ?? "") >= at;
  const manual = new Map<string, Map<string, string>>();
  for (const link of decisions.links) {
    for (const x of link.nodeIds) {
      for (const y of link.nodeIds) {
        if (x === y || undone(x, y, link.at)) continue;
        latest(
          getOrAdd(manual, x, () => new Map<string, string>()),
          y,
          link.at,
        );
      }
    }
  }
  return { standalone, suppressed, suppressedWith, manual };
}

// ---------------------------------------------------------------------------------------------
// Customers

/** One record's link to its customer: the union of its accepted pairs inside the customer. */
export interface CustomerLinkResult {
  nodeId: string;
  provider: Provider;
  kind: CandidateKind;
  matchedBy: MatchReason[];
  /** The strongest accepted pair's; 1 for a manual link and for a customer of one record. */
  confidence: number;
  manual: boolean;
  /** The accepted pairs that tie this record to the others, strongest first. */
  pairs: LinkedPair[];
  /** Conflicts with the customer's other records, and the customer's own. */
  conflicts: Conflict[];
}

export interface CustomerGroup {
  /** The smallest member nodeId: stable while that record stays in the customer. */
  key: string;
  displayName: string;
  nodeIds: string[];
  links: CustomerLinkResult[];
  /** Evidence against the customer as a whole: two VAT numbers in it, a suppressed pair joined through others. */
  conflicts: Conflict[];
}

export interface MatchResult {
  threshold: number;
  decisions: ManualDecisions;
  customers: Map<string, CustomerGroup>;
  customerOf: Map<string, string>;
  /** Every pair compared with any evidence or conflict, above the threshold or not, by both ends. */
  pairs: Map<string, Map<string, PairMatch>>;
  /** The customers `rematch` removed and the ones it wrote: what the store must update. */
  removed: string[];
  written: string[];
}

export interface MatchOptions {
  threshold?: number;
  decisions?: ManualDecisions;
}

interface Run {
  index: CandidateIndex;
  threshold: number;
  resolved: ResolvedDecisions;
  pairs: Map<string, Map<string, PairMatch>>;
}

function evaluate(run: Run, nodeId: string, other: string): void {
  const x = run.index.normalised(nodeId);
  const y = run.index.normalised(other);
  if (!x || !y) return;
  const scored = scorePair(x, y);
  if (scored.evidence.length === 0 && scored.conflicts.length === 0) return;
  const suppressed =
    run.resolved.standalone.has(scored.a) ||
    run.resolved.standalone.has(scored.b) ||
    run.resolved.suppressed.has(pairKey(scored.a, scored.b));
  const pair: PairMatch = {
    ...scored,
    suppressed,
    accepted: !suppressed && scored.confidence >= run.threshold,
  };
  setPair(run.pairs, scored.a, scored.b, pair);
  setPair(run.pairs, scored.b, scored.a, pair);
}

function setPair(pairs: Map<string, Map<string, PairMatch>>, x: string, y: string, pair: PairMatch): void {
  getOrAdd(pairs, x, () => new Map<string, PairMatch>()).set(y, pair);
}

function dropPairs(pairs: Map<string, Map<string, PairMatch>>, nodeId: string): void {
  for (const other of pairs.get(nodeId)?.keys() ?? []) {
    const row = pairs.get(other);
    row?.delete(nodeId);
    if (row?.size === 0) pairs.delete(other);
  }
  pairs.delete(nodeId);
}

/** The records joined to this one by an accepted pair or a holding manual link. */
function* joined(run: Run, nodeId: string): Generator<string> {
  for (const [other, pair] of run.pairs.get(nodeId) ?? []) if (pair.accepted) yield other;
  for (const other of run.resolved.manual.get(nodeId)?.keys() ?? [])
    if (run.index.normalised(other)) yield other;
}

/** The components over `nodes` (closed under `joined`): every record reachable from them. */
function components(run: Run, nodes: Iterable<string>): string[][] {
  const seen = new Set<string>();
  const found: string[][] = [];
  for (const start of nodes) {
    if (seen.has(start) || !run.index.normalised(start)) continue;
    // A walk rather than union-find with ranks: same components, and the walk yields them whole.
    const members: string[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const node = stack.pop() as string;
      members.push(node);
      for (const other of joined(run, node)) {
        if (!seen.has(other)) {
          seen.add(other);
          stack.push(other);
        }
      }
    }
    found.push(members.sort());
  }
  return found;
}

/** The identifiers a part of a component holds: two parts whose numbers all differ are two legal entities. */
interface Identifiers {
  vats: Set<string>;
  cocs: Set<string>;
}
const disagree = (x: Set<string>, y: Set<string>) =>
  x.size > 0 && y.size > 0 && ![...x].some((value) => y.has(value));

/**
 * A component split into customers: manual links join whatever they name; then accepted pairs,
 * strongest first, join their parts unless that would put different VAT or chamber-of-commerce
 * numbers in one customer — a third record without numbers does not make two legal entities one.
 * Deterministic in the pairs alone, so `rematch` and `matchCustomers` split alike.
 */
function split(run: Run, members: readonly string[]): string[][] {
  const parent = new Map(members.map((nodeId) => [nodeId, nodeId]));
  const find = (nodeId: string): string => {
    let root = nodeId;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    parent.set(nodeId, root);
    return root;
  };
  const identifiers = new Map<string, Identifiers>(
    members.map((nodeId) => {
      const record = run.index.normalised(nodeId) as Normalised;
      return [
        nodeId,
        {
          vats: new Set(record.vat ? [record.vat.number] : []),
          cocs: new Set(record.chamberOfCommerce ? [record.chamberOfCommerce] : []),
        },
      ];
    }),
  );
  const union = (x: string, y: string, checked: boolean) => {
    const [a, b] = [find(x), find(y)];
    if (a === b) return;
    const [left, right] = [identifiers.get(a) as Identifiers, identifiers.get(b) as Identifiers];
    if (checked && (disagree(left.vats, right.vats) || disagree(left.cocs, right.cocs))) return;
    const [root, child] = a < b ? [a, b] : [b, a];
    parent.set(child, root);
    identifiers.set(root, {
      vats: new Set([...left.vats, ...right.vats]),
      cocs: new Set([...left.cocs, ...right.cocs]),
    });
  };
  const inside = new Set(members);
  for (const x of members) {
    for (const y of run.resolved.manual.get(x)?.keys() ?? []) if (inside.has(y)) union(x, y, false);
  }
  const pairs: PairMatch[] = [];
  for (const x of members) {
    for (const [y, pair] of run.pairs.get(x) ?? [])
      if (pair.accepted && x < y && inside.has(y)) pairs.push(pair);
  }
  pairs.sort((p, q) => q.confidence - p.confidence || (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : 1));
  for (const pair of pairs) union(pair.a, pair.b, true);
  const parts = new Map<string, string[]>();
  for (const nodeId of members) getOrAdd(parts, find(nodeId), () => []).push(nodeId);
  return [...parts.values()];
}

/** The customers of the components over `nodes`. */
function group(run: Run, nodes: Iterable<string>): CustomerGroup[] {
  return components(run, nodes).flatMap((members) =>
    split(run, members).map((part) => buildCustomer(run, part.sort())),
  );
}

const PROVIDER_RANK: Record<Provider, number> = { PRODUCTIVE: 0, MONEYBIRD: 1, FREEAGENT: 2 };

function buildCustomer(run: Run, nodeIds: string[]): CustomerGroup {
  const members = new Set(nodeIds);
  const records = nodeIds.map((nodeId) => run.index.normalised(nodeId) as Normalised);
  const conflicts: Conflict[] = [];
  const vats = [...new Set(records.flatMap((record) => (record.vat ? [formatVat(record.vat)] : [])))];
  // Numbers with and without a country are one number: count distinct numbers.
  if (new Set(records.flatMap((record) => record.vat?.number ?? [])).size > 1) {
    conflicts.push({
      kind: "VAT_MISMATCH",
      with: null,
      detail: `VAT numbers in one customer: ${vats.sort().join(", ")}`,
    });
  }
  const cocs = [...new Set(records.flatMap((record) => record.chamberOfCommerce ?? []))];
  if (cocs.length > 1) {
    conflicts.push({
      kind: "CHAMBER_OF_COMMERCE_MISMATCH",
      with: null,
      detail: `chamber of commerce numbers in one customer: ${cocs.sort().join(", ")}`,
    });
  }
  const joinedPairs = new Set<string>();
  for (const x of nodeIds) {
    for (const y of run.resolved.suppressedWith.get(x) ?? []) {
      if (x > y || !members.has(y) || joinedPairs.has(pairKey(x, y)) || run.resolved.manual.get(x)?.has(y))
        continue;
      joinedPairs.add(pairKey(x, y));
      conflicts.push({
        kind: "SUPPRESSED_PAIR_JOINED",
        with: null,
        detail: `${x} and ${y} were unlinked by hand but other records join them`,
      });
    }
  }

  const links = records.map((record): CustomerLinkResult => {
    const nodeId = record.candidate.nodeId;
    const pairs: CustomerLinkResult["pairs"] = [];
    const linkConflicts: Conflict[] = [];
    for (const [other, pair] of run.pairs.get(nodeId) ?? []) {
      if (!members.has(other)) continue;
      if (pair.accepted) {
        pairs.push({
          with: other,
          matchedBy: pair.matchedBy,
          confidence: pair.confidence,
          evidence: pair.evidence,
          manual: false,
        });
      }
      for (const conflict of pair.conflicts) linkConflicts.push({ ...conflict, with: other });
    }
    for (const other of run.resolved.manual.get(nodeId)?.keys() ?? []) {
      if (members.has(other)) {
        pairs.push({ with: other, matchedBy: ["MANUAL"], confidence: 1, evidence: [], manual: true });
      }
    }
    pairs.sort(
      (x, y) =>
        y.confidence - x.confidence ||
        (x.with < y.with ? -1 : x.with > y.with ? 1 : Number(y.manual) - Number(x.manual)),
    );
    const manual = pairs.some((pair) => pair.manual);
    return {
      nodeId,
      provider: record.candidate.provider,
      kind: record.candidate.kind,
      matchedBy: sortReasons(pairs.flatMap((pair) => pair.matchedBy)),
      confidence: pairs[0]?.confidence ?? 1,
      manual,
      pairs,
      conflicts: [...linkConflicts.sort((x, y) => ((x.with ?? "") < (y.with ?? "") ? -1 : 1)), ...conflicts],
    };
  });

  const named = [...records]
    .filter((record) => record.candidate.name?.trim())
    .sort(
      (x, y) =>
        PROVIDER_RANK[x.candidate.provider] - PROVIDER_RANK[y.candidate.provider] ||
        (x.candidate.nodeId < y.candidate.nodeId ? -1 : 1),
    );
  return {
    key: nodeIds[0] as string,
    displayName: named[0]?.candidate.name?.trim() ?? "",
    nodeIds,
    links,
    conflicts,
  };
}

function store(result: MatchResult, customers: readonly CustomerGroup[]): void {
  for (const customer of customers) {
    result.customers.set(customer.key, customer);
    for (const nodeId of customer.nodeIds) result.customerOf.set(nodeId, customer.key);
    result.written.push(customer.key);
  }
}

/** Every customer from scratch: each record against the records sharing a key with it. */
export function matchCustomers(index: CandidateIndex, options: MatchOptions = {}): MatchResult {
  const decisions = options.decisions ?? NO_DECISIONS;
  const run: Run = {
    index,
    threshold: options.threshold ?? MATCH_THRESHOLD,
    resolved: resolveDecisions(decisions),
    pairs: new Map(),
  };
  for (const nodeId of index.nodeIds()) {
    for (const other of index.neighbours(nodeId)) if (nodeId < other) evaluate(run, nodeId, other);
  }
  const result: MatchResult = {
    threshold: run.threshold,
    decisions,
    customers: new Map(),
    customerOf: new Map(),
    pairs: run.pairs,
    removed: [],
    written: [],
  };
  store(result, group(run, index.nodeIds()));
  return result;
}

/** A record written (its new state) or deleted. */
export type CandidateChange = CustomerCandidate | { nodeId: string; removed: true };

/**
 * The customers after some records changed, equal to `matchCustomers` over the new state but
 * re-evaluating only what the changes touch: the changed records' pairs (through the index,
 * O(changed × matches)) and the customers they were or become part of. Applies the changes to
 * `index`, and takes over `previous` (its maps are updated in place: copying them would cost
 * O(n) per change). To apply a new manual decision, rematch with the records it names as changed
 * and the new decisions.
 */
export function rematch(
  previous: MatchResult,
  changed: readonly CandidateChange[],
  index: CandidateIndex,
  decisions: ManualDecisions = previous.decisions,
): MatchResult {
  const run: Run = {
    index,
    threshold: previous.threshold,
    resolved: resolveDecisions(decisions),
    pairs: previous.pairs,
  };
  const changedIds = new Set<string>();
  for (const change of changed) {
    if ("removed" in change) index.remove(change.nodeId);
    else index.upsert(change);
    changedIds.add(change.nodeId);
  }

  // The customers a changed record was part of, or joins: every record in them is regrouped.
  const affectedCustomers = new Set<string>();
  const touch = (nodeId: string) => {
    const key = previous.customerOf.get(nodeId);
    if (key !== undefined) affectedCustomers.add(key);
  };
  for (const nodeId of changedIds) {
    touch(nodeId);
    dropPairs(run.pairs, nodeId);
  }
  for (const nodeId of changedIds) {
    if (!index.normalised(nodeId)) continue;
    for (const other of index.neighbours(nodeId)) evaluate(run, nodeId, other);
    for (const other of joined(run, nodeId)) touch(other);
  }

  // A component may hold several customers (split on conflicting numbers): all of its records are
  // regrouped, so every customer in a component the change reaches is rebuilt.
  for (const key of [...affectedCustomers]) {
    for (const nodeId of previous.customers.get(key)?.nodeIds ?? []) touch(nodeId);
  }
  const reached = components(run, [
    ...changedIds,
    ...[...affectedCustomers].flatMap((key) => previous.customers.get(key)?.nodeIds ?? []),
  ]);
  for (const members of reached) for (const nodeId of members) touch(nodeId);

  const result: MatchResult = { ...previous, decisions, removed: [], written: [] };
  const regroup = new Set(changedIds);
  for (const key of affectedCustomers) {
    const customer = result.customers.get(key);
    if (!customer) continue;
    for (const nodeId of customer.nodeIds) {
      regroup.add(nodeId);
      result.customerOf.delete(nodeId);
    }
    result.customers.delete(key);
    result.removed.push(key);
  }
  for (const nodeId of changedIds) result.customerOf.delete(nodeId);
  store(result, group(run, [...regroup].sort()));
  // A customer removed and written again under its key is an update, not a removal.
  const written = new Set(result.written);
  result.removed = result.removed.filter((key) => !written.has(key));
  return result;
}

/** The customers in key order: what a listing pages over and what tests compare. */
export const customerList = (result: MatchResult): CustomerGroup[] =>
  [...result.customers.values()].sort((x, y) => (x.key < y.key ? -1 : 1));

/** Every pair compared with this record, linked or not, strongest first: near misses for review. */
export const pairsOf = (result: MatchResult, nodeId: string): PairMatch[] =>
  [...(result.pairs.get(nodeId)?.values() ?? [])].sort((x, y) => y.confidence - x.confidence);
