import type { Provider, Timestamp } from "./common.ts";
import type { FreeAgentContact } from "./freeagent.ts";
import type { MoneybirdContact } from "./moneybird.ts";
import type { Company } from "./productive.ts";

/**
 * One customer across the providers (issue 16): the records that are the same business in
 * Productive, Moneybird and FreeAgent, linked by evidence (src/contacts/customers/match.ts) or by
 * hand. A record is named `Kind:id` (its node id), unique across providers.
 */

/** The records a customer groups. */
export type CustomerRecord = Company | MoneybirdContact | FreeAgentContact;
export type CustomerRecordKind = CustomerRecord["kind"];
export const CUSTOMER_RECORD_KINDS: readonly CustomerRecordKind[] = [
  "Company",
  "MoneybirdContact",
  "FreeAgentContact",
];

export const nodeIdOf = (kind: CustomerRecordKind, id: string) => `${kind}:${id}`;

export function parseNodeId(nodeId: string): { kind: CustomerRecordKind; id: string } {
  const separator = nodeId.indexOf(":");
  return { kind: nodeId.slice(0, separator) as CustomerRecordKind, id: nodeId.slice(separator + 1) };
}

/** The schema's `MatchReason`, in its order. */
export type MatchReason = "VAT" | "CHAMBER_OF_COMMERCE" | "DOMAIN" | "EMAIL" | "NAME" | "MANUAL";
export const MATCH_REASONS: readonly MatchReason[] = [
  "VAT",
  "CHAMBER_OF_COMMERCE",
  "DOMAIN",
  "EMAIL",
  "NAME",
  "MANUAL",
];

/** One piece of evidence: the reason, the normalised value both records share, its weight. */
export interface Evidence {
  reason: MatchReason;
  value: string;
  weight: number;
}

export type ConflictKind =
  | "VAT_MISMATCH"
  | "CHAMBER_OF_COMMERCE_MISMATCH"
  | "NAME_MISMATCH"
  | "SUPPRESSED_PAIR_JOINED";

/** Evidence against: shown on the link (or the customer), never silently dropped. */
export interface Conflict {
  kind: ConflictKind;
  /** The other record (`Kind:id`), when the conflict is between two records. */
  with: string | null;
  detail: string;
}

/** A pair of records in one customer that tie it together: what the link's evidence is. */
export interface LinkedPair {
  with: string;
  matchedBy: MatchReason[];
  confidence: number;
  evidence: Evidence[];
  manual: boolean;
}

/** A record's link to its customer. */
export interface CustomerLink {
  nodeId: string;
  customerId: string;
  provider: Provider;
  kind: CustomerRecordKind;
  recordId: string;
  /** The union of its pairs' reasons; empty for a customer of one record. */
  matchedBy: MatchReason[];
  /** Its strongest pair's; 1 for a manual link and for a customer of one record. */
  confidence: number;
  manual: boolean;
  /** When the record joined this customer. */
  linkedAt: Timestamp;
  pairs: LinkedPair[];
  conflicts: Conflict[];
}

export interface Customer {
  kind: "Customer";
  id: string;
  displayName: string;
  /** The providers its records are in, in schema order. */
  providers: Provider[];
  recordCount: number;
  /** Evidence against the customer as a whole (two VAT numbers in it, a suppressed pair joined through others). */
  conflicts: Conflict[];
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

export interface CustomerFilter {
  /** Words the display name contains, case and accents ignored. */
  query?: string | null;
  /** Customers with a record in every one of these providers. */
  providers?: readonly Provider[] | null;
  /** Customers whose records span at least this many providers. */
  minProviders?: number | null;
  /** true: only customers with a conflict (theirs or a link's); false: only those without. */
  hasConflicts?: boolean | null;
}
