import type { GatewayContext } from "../context.ts";
import type { Change } from "../domain/index.ts";
import { BadUserInputError, ChangeFeedError } from "../errors.ts";
import type { ChangeSource } from "../ports.ts";
import { quoteInput } from "../security/redaction.ts";
import { builder } from "./builder.ts";
import { pageSize, toConnection } from "./connection.ts";
import { encodeGlobalId } from "./global-id.ts";
import { loadCurrentNode } from "./node.ts";
import { decodeOpaque, encodeOpaque } from "./opaque.ts";
import { ProviderEnum } from "./provider.ts";

/**
 * The change feed: what the store's change log holds (src/store/changes.ts), as a connection and
 * as a subscription. A position is a change's `id` (also its edge's cursor); `since` takes it, or
 * the bare sequence number it holds.
 */

/** A change the subscription delivers: its node is read afresh, not from an earlier event's loader. */
type ChangeEvent = Change & { live?: true };

const positionOf = (change: Change) => encodeOpaque(`changes:${change.sequence}`);

function parsePosition(since: string | null | undefined): number | null {
  if (since === null || since === undefined) return null;
  const digits = /^\d+$/.test(since) ? since : /^changes:(\d+)$/.exec(decodeOpaque(since))?.[1];
  const position = Number(digits);
  if (digits === undefined || !Number.isSafeInteger(position)) {
    throw new BadUserInputError(`${quoteInput(since)} is not a position of the change feed`);
  }
  return position;
}

function changeSource(ctx: GatewayContext): ChangeSource {
  if (ctx.sources.changes) return ctx.sources.changes;
  throw new ChangeFeedError(
    "UNAVAILABLE",
    "the change feed is kept by the local store, and every provider is served live",
  );
}

const ChangeKindEnum = builder.enumType("ChangeKind", {
  values: ["CREATED", "UPDATED", "DELETED"] as const,
});

const ChangeRef = builder.objectRef<ChangeEvent>("Change").implement({
  description: "An insert, update or delete of a record, in the order they were committed.",
  fields: (t) => ({
    id: t.id({
      description: "Its position in the feed: pass it as `since` to continue after it.",
      resolve: positionOf,
    }),
    kind: t.field({ type: ChangeKindEnum, resolve: (change) => change.kind }),
    provider: t.field({ type: ProviderEnum, resolve: (change) => change.provider }),
    nodeId: t.id({
      description: "The global id of the record that changed.",
      resolve: (change) => encodeGlobalId(change.typename, change.remoteId),
    }),
    typename: t.string({ resolve: (change) => change.typename }),
    at: t.field({ type: "DateTime", description: "When it was committed.", resolve: (change) => change.at }),
    node: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description: "The record as it is now; null when it no longer exists.",
      // A subscription's events share one request context: each reads its node on a context of its own.
      resolve: (change, _args, ctx) =>
        loadCurrentNode(change.typename, change.remoteId, change.live ? { ...ctx } : ctx) as never,
    }),
  }),
});

const ChangeConnection = builder.connectionObject(
  { type: ChangeRef, name: "ChangeConnection" },
  { name: "ChangeEdge" },
);

builder.queryFields((t) => ({
  changes: t.field({
    type: ChangeConnection,
    description:
      "The changes to records, oldest first. A `since` older than the feed keeps is a CHANGES_EXPIRED error: read the records afresh.",
    args: {
      since: t.arg.string({
        description:
          "A change's id (or its edge's cursor): the changes after it. None: from the oldest kept.",
      }),
      first: t.arg.int(),
    },
    resolve: async (_root, args, ctx) => {
      const after = parsePosition(args.since);
      const page = await changeSource(ctx).list(after, pageSize(args.first));
      const edges = page.changes.map((node) => ({ cursor: positionOf(node), node }));
      return toConnection(edges, page.hasNextPage, after !== null, null);
    },
  }),
}));

builder.subscriptionFields((t) => ({
  changes: t.field({
    type: ChangeRef,
    description:
      "Each change as it is committed, in order (Server-Sent Events). With `since`, the changes after it first; without, from now on.",
    args: {
      since: t.arg.string({ description: "A change's id (or an edge's cursor) to resume after." }),
    },
    subscribe: async (_root, args, ctx) => changeSource(ctx).watch(parsePosition(args.since)),
    resolve: (change: Change): ChangeEvent => ({ ...change, live: true }),
  }),
}));
