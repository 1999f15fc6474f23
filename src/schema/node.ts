import type { GatewayContext } from "../context.ts";
import type { RecordKind } from "../domain/common.ts";
import { MAX_PAGE_SIZE } from "../domain/common.ts";
import { BadUserInputError, NotFoundError } from "../errors.ts";
import { builder } from "./builder.ts";
import { decodeGlobalId } from "./global-id.ts";
import {
  CompanyNode,
  ContactEntryNode,
  ContactNoteNode,
  ContactPersonNode,
  CustomerNode,
  FreeAgentContactNode,
  MoneybirdContactNode,
} from "./refs.ts";

const LOADERS = {
  Company: CompanyNode,
  ContactEntry: ContactEntryNode,
  MoneybirdContact: MoneybirdContactNode,
  FreeAgentContact: FreeAgentContactNode,
  ContactPerson: ContactPersonNode,
  ContactNote: ContactNoteNode,
  Customer: CustomerNode,
} satisfies Record<
  RecordKind,
  { getDataloader(ctx: GatewayContext): { load(key: string): Promise<unknown> } }
>;

/**
 * Any record by global id, through the type's per-request loader (so `nodes` batches per type).
 * Async so that a malformed id rejects its own promise: in `nodes` it is that item's error, not the list's.
 */
async function loadNode(globalId: string, ctx: GatewayContext): Promise<unknown> {
  const { typename, id } = decodeGlobalId(globalId);
  return LOADERS[typename].getDataloader(ctx).load(id);
}

/** A record as it is now, through its type's loader, or null when it no longer exists. */
export async function loadCurrentNode(typename: RecordKind, remoteId: string, ctx: GatewayContext) {
  try {
    return await LOADERS[typename].getDataloader(ctx).load(remoteId);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: "Any record by its global id; a missing record is null with a NOT_FOUND error.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => loadNode(String(id), ctx) as never,
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `Up to ${MAX_PAGE_SIZE} records by global id, in order; each missing or invalid id is null with its own error.`,
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, { ids }, ctx) => {
      if (ids.length > MAX_PAGE_SIZE) {
        throw new BadUserInputError(`nodes takes at most ${MAX_PAGE_SIZE} ids (got ${ids.length})`);
      }
      return ids.map((id) => loadNode(String(id), ctx)) as never;
    },
  }),
}));
