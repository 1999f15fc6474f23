import { createContextCache } from "@pothos/core";
import DataLoader from "dataloader";
import { MAX_LINKED_RECORDS } from "../contacts/customers/index.ts";
import type { GatewayContext } from "../context.ts";
import {
  type Conflict,
  type Customer,
  type CustomerLink,
  type CustomerRecord,
  type Evidence,
  type LinkedPair,
  MATCH_REASONS,
  nodeIdOf,
  parseNodeId,
} from "../domain/index.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { builder } from "./builder.ts";
import { connectionType, offsetConnection, pageRequest, selectsTotalCount } from "./connection.ts";
import { WRITE_ERRORS } from "./errors.ts";
import { decodeGlobalIdOf } from "./global-id.ts";
import { ProviderEnum } from "./provider.ts";
import { CompanyNode, ContactInterface, CustomerNode } from "./refs.ts";

/**
 * Customers across the providers (issue 16; docs/customers.md). Everything here is read from the
 * store — the links, and the records as the store or the mirror holds them — through per-request
 * loaders, so a page of companies with their customers and those customers' contacts costs a
 * constant number of store queries and no upstream call.
 */

const noCustomers = () => {
  throw new ValidationError(
    [],
    "customers need the local store: every provider is served live without the mirror, so no records are at hand to match",
    "ids",
  );
};

const linksByNode = createContextCache(
  (ctx: GatewayContext) =>
    new DataLoader<string, CustomerLink | null>(
      async (nodeIds) => (await ctx.sources.customers?.linksOf(nodeIds)) ?? nodeIds.map(() => null),
    ),
);
const linksByCustomer = createContextCache(
  (ctx: GatewayContext) =>
    new DataLoader<string, CustomerLink[]>(
      async (ids) => (await ctx.sources.customers?.linksOfCustomers(ids)) ?? ids.map(() => []),
    ),
);
const recordsByNode = createContextCache(
  (ctx: GatewayContext) =>
    new DataLoader<string, CustomerRecord | null>(
      async (nodeIds) => (await ctx.sources.customers?.records(nodeIds)) ?? nodeIds.map(() => null),
    ),
);

async function customerOf(nodeId: string, ctx: GatewayContext): Promise<Customer | null> {
  const link = await linksByNode(ctx).load(nodeId);
  return link ? (CustomerNode.getDataloader(ctx).load(link.customerId) as Promise<Customer>) : null;
}

/** A record a link names, as the store holds it: a record deleted since its link was read is NOT_FOUND. */
async function recordOf(nodeId: string, ctx: GatewayContext): Promise<CustomerRecord> {
  const record = await recordsByNode(ctx).load(nodeId);
  if (record) return record;
  const { kind, id } = parseNodeId(nodeId);
  throw new NotFoundError(kind, id);
}

async function recordsOf(customer: Customer, ctx: GatewayContext, kinds: readonly CustomerRecord["kind"][]) {
  const links = await linksByCustomer(ctx).load(customer.id);
  const records = await recordsByNode(ctx).loadMany(
    links.filter((link) => kinds.includes(link.kind)).map((link) => link.nodeId),
  );
  // A record deleted since the links were read is left out: the matcher removes its link next.
  return records.filter((record): record is CustomerRecord => record !== null && !(record instanceof Error));
}

const MatchReasonEnum = builder.enumType("MatchReason", {
  description:
    "Why two records are one customer: the same VAT / tax number, chamber-of-commerce number, company domain (a Productive domain against an email's), exact email address, or name (weak: never enough alone); MANUAL when a person linked them.",
  values: MATCH_REASONS,
});

const MatchConflictKindEnum = builder.enumType("MatchConflictKind", {
  values: [
    "VAT_MISMATCH",
    "CHAMBER_OF_COMMERCE_MISMATCH",
    "NAME_MISMATCH",
    "SUPPRESSED_PAIR_JOINED",
  ] as const,
});

const MatchEvidenceType = builder.objectRef<Evidence>("MatchEvidence").implement({
  description: "One piece of evidence two records share.",
  fields: (t) => ({
    reason: t.field({ type: MatchReasonEnum, resolve: (evidence) => evidence.reason }),
    value: t.exposeString("value", {
      description:
        "The value both records have, normalised (a VAT number as `NL853210274B01`, a domain, an email).",
    }),
    weight: t.exposeFloat("weight", { description: "How much this evidence counts on its own (0–1)." }),
  }),
});

const MatchConflictType = builder.objectRef<Conflict>("MatchConflict").implement({
  description:
    "Evidence against a link, shown rather than hidden: different VAT or chamber-of-commerce numbers, names that share no word, or records unlinked by hand that other records join again.",
  fields: (t) => ({
    kind: t.field({ type: MatchConflictKindEnum, resolve: (conflict) => conflict.kind }),
    detail: t.exposeString("detail"),
    with: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description: "The other record, when the conflict is between two records.",
      resolve: (conflict, _args, ctx) => (conflict.with ? (recordOf(conflict.with, ctx) as never) : null),
    }),
  }),
});

const LinkedPairType = builder.objectRef<LinkedPair>("CustomerLinkPair").implement({
  description: "A record of the same customer this one is tied to directly, and why.",
  fields: (t) => ({
    with: t.field({
      type: builder.nodeInterfaceRef(),
      resolve: (pair, _args, ctx) => recordOf(pair.with, ctx) as never,
    }),
    matchedBy: t.field({ type: [MatchReasonEnum], resolve: (pair) => pair.matchedBy }),
    confidence: t.exposeFloat("confidence"),
    manual: t.exposeBoolean("manual"),
    evidence: t.field({ type: [MatchEvidenceType], resolve: (pair) => pair.evidence }),
  }),
});

const CustomerLinkType = builder.objectRef<CustomerLink>("CustomerLink").implement({
  description: "A record's membership of its customer, with its evidence.",
  fields: (t) => ({
    node: t.field({
      type: builder.nodeInterfaceRef(),
      description: "The record: a Company, MoneybirdContact or FreeAgentContact.",
      resolve: (link, _args, ctx) => recordOf(link.nodeId, ctx) as never,
    }),
    provider: t.field({ type: ProviderEnum, resolve: (link) => link.provider }),
    matchedBy: t.field({
      type: [MatchReasonEnum],
      description:
        "Every reason that ties it to the customer's other records; empty for a customer of one record.",
      resolve: (link) => link.matchedBy,
    }),
    confidence: t.exposeFloat("confidence", {
      description:
        "Its strongest tie's confidence (0–1; a link needs 0.8); 1 for a manual link and for a customer of one record.",
    }),
    manual: t.exposeBoolean("manual", { description: "Linked by hand (`linkRecords`)." }),
    linkedAt: t.field({
      type: "DateTime",
      description: "When the record joined this customer.",
      resolve: (link) => link.linkedAt,
    }),
    pairs: t.field({
      type: [LinkedPairType],
      description: "The records it is tied to directly, strongest first.",
      resolve: (link) => link.pairs,
    }),
    conflicts: t.field({ type: [MatchConflictType], resolve: (link) => link.conflicts }),
  }),
});

CustomerNode.implement({
  description:
    "One customer across the tools: the Productive companies, Moneybird contacts and FreeAgent contacts that are the same business, linked by evidence or by hand (docs/customers.md). A record no other matches is a customer of its own.",
  isTypeOf: (value) => (value as { kind?: string }).kind === "Customer",
  fields: (t) => ({
    displayName: t.exposeString("displayName", {
      description: "The name of its first record: Productive's, else Moneybird's, else FreeAgent's.",
    }),
    providers: t.field({ type: [ProviderEnum], resolve: (customer) => customer.providers }),
    companies: t.field({
      type: [CompanyNode],
      description: "Its Productive companies, as the store or the mirror holds them (never read upstream).",
      resolve: (customer, _args, ctx) => recordsOf(customer, ctx, ["Company"]) as never,
    }),
    contacts: t.field({
      type: [ContactInterface],
      description:
        "Its Moneybird and FreeAgent contacts, as the store or the mirror holds them (never read upstream).",
      resolve: (customer, _args, ctx) =>
        recordsOf(customer, ctx, ["MoneybirdContact", "FreeAgentContact"]) as never,
    }),
    links: t.field({
      type: [CustomerLinkType],
      resolve: (customer, _args, ctx) => linksByCustomer(ctx).load(customer.id),
    }),
    conflicts: t.field({
      type: [MatchConflictType],
      description:
        "Evidence against the customer as a whole: two VAT numbers in it, records unlinked by hand joined again.",
      resolve: (customer) => customer.conflicts,
    }),
    createdAt: t.field({ type: "DateTime", resolve: (customer) => customer.createdAt }),
    updatedAt: t.field({ type: "DateTime", resolve: (customer) => customer.updatedAt }),
  }),
});

const CUSTOMER_FIELD_DESCRIPTION =
  "The customer this record is part of across the tools; null while it is not matched yet (matching follows the store's changes within CUSTOMER_MATCH_INTERVAL_MS) or when its provider is served live without the mirror.";

builder.objectField(CompanyNode, "customer", (t) =>
  t.field({
    type: CustomerNode,
    nullable: true,
    description: CUSTOMER_FIELD_DESCRIPTION,
    resolve: (company, _args, ctx) => customerOf(nodeIdOf("Company", company.id), ctx) as never,
  }),
);

builder.interfaceField(ContactInterface, "customer", (t) =>
  t.field({
    type: CustomerNode,
    nullable: true,
    description: CUSTOMER_FIELD_DESCRIPTION,
    resolve: (contact, _args, ctx) => customerOf(nodeIdOf(contact.kind, contact.id), ctx) as never,
  }),
);

const CustomerFilterInput = builder.inputType("CustomerFilter", {
  fields: (t) => ({
    query: t.string({ description: "Words the display name contains, case and accents ignored." }),
    providers: t.field({
      type: [ProviderEnum],
      description: "Customers with records in every one of these providers.",
    }),
    minProviders: t.int({
      description: "Customers whose records span at least this many providers (2: in two tools or more).",
    }),
    hasConflicts: t.boolean({
      description: "true: only customers with a conflict; false: only those without.",
    }),
  }),
});

const CustomerConnection = connectionType(CustomerNode, "Customer");

builder.queryField("customers", (t) =>
  t.field({
    type: CustomerConnection,
    description:
      "Customers across the tools, by display name. Read from the store: the providers it serves and those the mirror keeps (docs/customers.md).",
    args: { filter: t.arg({ type: CustomerFilterInput }), first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, { filter, first, after }, ctx, info) => {
      const request = { ...pageRequest({ first, after }, "customers"), countTotal: selectsTotalCount(info) };
      const page = ctx.sources.customers
        ? await ctx.sources.customers.list(filter ?? {}, request)
        : { items: [], hasNextPage: false, totalCount: 0 };
      return offsetConnection(page, request, "customers") as never;
    },
  }),
);

const LinkRecordsSuccess = builder.objectRef<{ customer: Customer }>("LinkRecordsSuccess").implement({
  fields: (t) => ({
    customer: t.field({
      type: CustomerNode,
      description: "The customer the records are now part of.",
      resolve: (r) => r.customer,
    }),
  }),
});
const UnlinkRecordSuccess = builder
  .objectRef<{ customer: Customer; previous: Customer | null }>("UnlinkRecordSuccess")
  .implement({
    fields: (t) => ({
      customer: t.field({
        type: CustomerNode,
        description: "The record's own customer now: it stands alone.",
        resolve: (r) => r.customer,
      }),
      previousCustomer: t.field({
        type: CustomerNode,
        nullable: true,
        description: "The customer it left, with its other records; null when it was alone already.",
        resolve: (r) => r.previous,
      }),
    }),
  });

/** A record's node id from its global id, as a ValidationError at `path` when it names no company or contact. */
function recordNodeId(globalId: string | number, argument: string, path: string[]): string {
  try {
    const { typename, id } = decodeGlobalIdOf(
      String(globalId),
      "Company",
      "MoneybirdContact",
      "FreeAgentContact",
    );
    return nodeIdOf(typename, id);
  } catch (error) {
    if (error instanceof Error && error.name === "BadUserInputError") {
      throw new ValidationError([{ path, message: error.message }], error.message, argument);
    }
    throw error;
  }
}

/** Clears what this request loaded of customers: after a decision, reads show its outcome. */
function forgetCustomers(ctx: GatewayContext): void {
  linksByNode.delete(ctx);
  linksByCustomer.delete(ctx);
  CustomerNode.getDataloader(ctx).clearAll();
}

builder.mutationFields((t) => ({
  linkRecords: t.field({
    type: LinkRecordsSuccess,
    description: `Makes these records (2 to ${MAX_LINKED_RECORDS} Productive companies, Moneybird or FreeAgent contacts) one customer, whatever the evidence, for good: until one of them is unlinked. Applied before it answers.`,
    args: { ids: t.arg.idList({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: async (_root, { ids }, ctx) => {
      const nodeIds = [...new Set(ids.map((id, i) => recordNodeId(id, "ids", [String(i)])))];
      if (nodeIds.length < 2 || nodeIds.length > MAX_LINKED_RECORDS) {
        const message = `linkRecords takes 2 to ${MAX_LINKED_RECORDS} different records (got ${nodeIds.length})`;
        throw new ValidationError([{ path: [], message }], message, "ids");
      }
      const customers = ctx.sources.customers ?? noCustomers();
      const customer = await customers.link(nodeIds, ctx.viewer.kind);
      forgetCustomers(ctx);
      return { customer };
    },
  }),
  unlinkRecord: t.field({
    type: UnlinkRecordSuccess,
    description:
      "Takes the record out of its customer for good: no automatic match joins it to another record again (a later `linkRecords` can). Applied before it answers.",
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: async (_root, { id }, ctx) => {
      const nodeId = recordNodeId(id, "id", []);
      const customers = ctx.sources.customers ?? noCustomers();
      const result = await customers.unlink(nodeId, ctx.viewer.kind);
      forgetCustomers(ctx);
      return result;
    },
  }),
}));
