import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";
import type { AccountingProvider, ContactPosition } from "../contacts/index.ts";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page, type PageRequest } from "../domain/common.ts";
import type { ContactOrder } from "../domain/contact.ts";
import { BadUserInputError } from "../errors.ts";
import { quoteInput } from "../security/redaction.ts";
import { builder } from "./builder.ts";
import { decodeOpaque, encodeOpaque } from "./opaque.ts";

/**
 * Relay connections over offset pages. A cursor is opaque to clients: base64 of `<connection>:N`
 * for a one-source connection (`contacts:<FIELD>:<DIRECTION>:N` for an ordered contacts list),
 * `contacts:<PROVIDER>:N` for the merged contacts connection.
 */

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number | null;
}

type NodeTypeRef = Parameters<typeof builder.connectionObject>[0]["type"];

/** Connection and edge types named as the schema contract wants, with `totalCount` where known. */
export function connectionType<Ref extends NodeTypeRef>(nodeRef: Ref, name: string) {
  return builder.connectionObject(
    {
      type: nodeRef,
      name: `${name}Connection`,
      fields: (t) => ({
        totalCount: t.int({
          nullable: true,
          description: "How many items the whole list has; null where the provider cannot count (Moneybird).",
          resolve: (connection) => (connection as unknown as ConnectionShape<unknown>).totalCount,
        }),
      }),
    },
    { name: `${name}Edge` },
  );
}

export const OrderDirectionEnum = builder.enumType("OrderDirection", { values: ["ASC", "DESC"] as const });

/**
 * Which list a cursor belongs to: a cursor is only accepted by the connection that made it, so a
 * cursor of one list is never read as an offset into another.
 */
export type ConnectionName =
  | "companies"
  | "contactEntries"
  | "Company.contactEntries"
  | "MoneybirdContact.contactPersons"
  | "search"
  | "customers"
  | `contacts:${ContactOrder["field"]}:${ContactOrder["direction"]}`;

/** An ordered contacts list's cursors name its order, so a cursor of one order is refused by another. */
export const orderedContactsConnection = ({ field, direction }: ContactOrder): ConnectionName =>
  `contacts:${field}:${direction}`;

export const offsetCursor = (connection: ConnectionName, offset: number) =>
  encodeOpaque(`${connection}:${offset}`);
export const providerCursor = ({ provider, offset }: ContactPosition) =>
  encodeOpaque(`contacts:${provider}:${offset}`);

function invalidCursor(cursor: string): never {
  throw new BadUserInputError(`${quoteInput(cursor)} is not a cursor of this connection`);
}

/** The offset a cursor holds, refused when it is not a safe integer (SQL and page arithmetic need one). */
function cursorOffset(cursor: string, digits: string | undefined): number {
  const offset = Number(digits);
  if (!Number.isSafeInteger(offset)) invalidCursor(cursor);
  return offset;
}

/** Validates `first` and `after` and gives the page to read. */
export function pageRequest(
  args: { first?: number | null; after?: string | null },
  connection: ConnectionName,
): PageRequest {
  return {
    offset: args.after ? offsetFromCursor(args.after, connection) + 1 : 0,
    limit: pageSize(args.first),
  };
}

/**
 * Whether the connection field being resolved selects `totalCount` (directly or in a fragment), so
 * a source can skip counting when it does not. A `@skip`/`@include` is not evaluated: such a
 * selection counts as selected, which costs a count and never loses one.
 */
export function selectsTotalCount(info: GraphQLResolveInfo): boolean {
  const selects = (selectionSet: SelectionSetNode | undefined): boolean =>
    (selectionSet?.selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === "totalCount";
      if (selection.kind === Kind.INLINE_FRAGMENT) return selects(selection.selectionSet);
      return selects(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => selects(node.selectionSet));
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE} (got ${first})`);
  }
  return first;
}

function offsetFromCursor(cursor: string, connection: ConnectionName): number {
  const decoded = decodeOpaque(cursor);
  const prefix = `${connection}:`;
  if (!decoded.startsWith(prefix) || !/^\d+$/.test(decoded.slice(prefix.length))) invalidCursor(cursor);
  return cursorOffset(cursor, decoded.slice(prefix.length));
}

/** The position a merged contacts cursor holds, refused when its provider is not one the query selects. */
export function providerFromCursor(cursor: string, selected: readonly AccountingProvider[]): ContactPosition {
  const match = /^contacts:(MONEYBIRD|FREEAGENT):(\d+)$/.exec(decodeOpaque(cursor));
  if (!match) invalidCursor(cursor);
  const position = { provider: match[1] as AccountingProvider, offset: cursorOffset(cursor, match[2]) };
  if (!selected.includes(position.provider)) {
    throw new BadUserInputError(
      `the cursor ${quoteInput(cursor)} belongs to a provider this query does not select`,
    );
  }
  return position;
}

/** Builds the connection for a page that starts at `page.offset` in a one-source list. */
export function offsetConnection<T>(
  page: Page<T>,
  request: PageRequest,
  connection: ConnectionName,
): ConnectionShape<T> {
  return toConnection(
    page.items.map((node, i) => ({ cursor: offsetCursor(connection, request.offset + i), node })),
    page.hasNextPage,
    request.offset > 0,
    page.totalCount,
  );
}

export function toConnection<T>(
  edges: { cursor: string; node: T }[],
  hasNextPage: boolean,
  hasPreviousPage: boolean,
  totalCount: number | null,
): ConnectionShape<T> {
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** A connection over a list already in memory (a company's entries, a contact's people). */
export function arrayConnection<T>(
  items: T[],
  args: { first?: number | null; after?: string | null },
  connection: ConnectionName,
): ConnectionShape<T> {
  const request = pageRequest(args, connection);
  const slice = items.slice(request.offset, request.offset + request.limit);
  return offsetConnection(
    { items: slice, hasNextPage: request.offset + slice.length < items.length, totalCount: items.length },
    request,
    connection,
  );
}
