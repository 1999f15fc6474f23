import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Page,
  type PageRequest,
  type Provider,
} from "../domain/common.ts";
import { BadUserInputError } from "../errors.ts";
import { builder } from "./builder.ts";

/**
 * Relay connections over offset pages. A cursor is opaque to clients: base64 of `offset:N` for a
 * one-source connection, `PROVIDER:N` for the merged contacts connection (see contact.ts).
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

const encode = (text: string) => Buffer.from(text, "utf8").toString("base64");
const decode = (cursor: string) =>
  /^[A-Za-z0-9+/]+={0,2}$/.test(cursor) ? Buffer.from(cursor, "base64").toString("utf8") : "";

export const offsetCursor = (offset: number) => encode(`offset:${offset}`);
export const providerCursor = (provider: Provider, offset: number) => encode(`${provider}:${offset}`);

function invalidCursor(cursor: string): never {
  throw new BadUserInputError(`"${cursor}" is not a cursor of this connection`);
}

/** Validates `first` and `after` and gives the page to read. */
export function pageRequest(args: { first?: number | null; after?: string | null }): PageRequest {
  return { offset: args.after ? offsetFromCursor(args.after) + 1 : 0, limit: pageSize(args.first) };
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE} (got ${first})`);
  }
  return first;
}

function offsetFromCursor(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(decode(cursor));
  if (!match) invalidCursor(cursor);
  return Number(match[1]);
}

export function providerFromCursor(cursor: string): { provider: Provider; offset: number } {
  const match = /^(MONEYBIRD|FREEAGENT|PRODUCTIVE):(\d+)$/.exec(decode(cursor));
  if (!match) invalidCursor(cursor);
  return { provider: match[1] as Provider, offset: Number(match[2]) };
}

/** Builds the connection for a page that starts at `page.offset` in a one-source list. */
export function offsetConnection<T>(page: Page<T>, request: PageRequest): ConnectionShape<T> {
  return toConnection(
    page.items.map((node, i) => ({ cursor: offsetCursor(request.offset + i), node })),
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
): ConnectionShape<T> {
  const request = pageRequest(args);
  const slice = items.slice(request.offset, request.offset + request.limit);
  return offsetConnection(
    { items: slice, hasNextPage: request.offset + slice.length < items.length, totalCount: items.length },
    request,
  );
}
