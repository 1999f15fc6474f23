import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/gateway.ts";
import { executeOk } from "./graphql.ts";
import { quietLogger } from "./logging.ts";

/** A gateway over a fresh seeded `:memory:` store (no credentials, so every provider is the store). */
export function openGateway(options: Omit<GatewayOptions, "config"> = {}): Promise<Gateway> {
  return createGateway({ config: loadConfig({ STORE_URL: ":memory:" }), logger: quietLogger, ...options });
}

/**
 * Opens a gateway for the file's tests and closes it after: one for the whole file (`"all"`, for
 * tests that only read) or a fresh one per test (`"each"`, for tests that write). Call the returned
 * function inside a test to get the current gateway.
 */
export function useGateway(
  scope: "all" | "each",
  options: Omit<GatewayOptions, "config"> = {},
): () => Gateway {
  let gateway: Gateway | undefined;
  const open = async () => {
    gateway = await openGateway(options);
  };
  const close = async () => {
    await gateway?.close();
    gateway = undefined;
  };
  if (scope === "all") {
    beforeAll(open);
    afterAll(close);
  } else {
    beforeEach(open);
    afterEach(close);
  }
  return () => {
    if (!gateway) throw new Error("the gateway is only open inside a test");
    return gateway;
  };
}

/**
 * The error members of a mutation result union, with all their fields. Spread inside `Error` so it
 * fits every union, whichever of the three errors it has.
 */
const RESULT_ERROR_FIELDS = `
  __typename
  ... on Error {
    message
    ... on ValidationError { fieldErrors { path message } }
    ... on NotFoundError { id }
    ... on UpstreamError { provider code retryAfterSeconds }
  }
`;

/**
 * The document of a mutation with one argument (`input: <Field>Input!`, else an `ID!`), its result
 * aliased `result`: the error members with all their fields, and `<Field>Success` with
 * `successFields` (append the fragments they spread).
 */
export function mutationDocument(
  field: string,
  argument: "input" | "id" | "contactId",
  successFields: string,
): string {
  const name = field.charAt(0).toUpperCase() + field.slice(1);
  const type = argument === "input" ? `${name}Input!` : "ID!";
  return `
    mutation ($${argument}: ${type}) {
      result: ${field}(${argument}: $${argument}) { ${RESULT_ERROR_FIELDS} ... on ${name}Success { ${successFields} } }
    }
  `;
}

/** Runs a mutation made by `mutationDocument` and returns its `result`, typed as loosely as `executeOk`'s. */
export async function mutate(gateway: Gateway, mutation: string, variables: Record<string, unknown>) {
  return (await executeOk(gateway, mutation, variables)).result;
}

/** The ValidationError result with these field errors, in this order. */
export const validationError = (...fieldErrors: [path: string[], message: string][]) => ({
  __typename: "ValidationError",
  message: expect.any(String),
  fieldErrors: fieldErrors.map(([path, message]) => ({ path, message })),
});

/** The NotFoundError result for this global id. */
export const notFound = (id: string) => ({ __typename: "NotFoundError", message: expect.any(String), id });

export interface ConnectionPage<N> {
  totalCount: number | null;
  edges: { cursor: string; node: N }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
}

/**
 * Reads a connection page by page, `after` the previous `endCursor`, until `hasNextPage` is false.
 * `query` takes `$first` and `$after`; `connection` picks the connection out of its data (a root
 * field's name, or a function for a nested one).
 */
export async function walkConnection<N>(
  gateway: Gateway,
  query: string,
  // biome-ignore lint/suspicious/noExplicitAny: the data of an ad-hoc selection, as in `execute`
  connection: string | ((data: any) => ConnectionPage<N>),
  first: number,
  variables: Record<string, unknown> = {},
): Promise<ConnectionPage<N>[]> {
  const pick =
    typeof connection === "string"
      ? (data: Record<string, ConnectionPage<N>>) => data[connection]
      : connection;
  const pages: ConnectionPage<N>[] = [];
  let after: string | null = null;
  do {
    if (pages.length > 1000) throw new Error("no last page after 1000 pages");
    const page = pick(await executeOk(gateway, query, { ...variables, first, after })) as ConnectionPage<N>;
    pages.push(page);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after !== null);
  return pages;
}

/**
 * Checks a walk's pages against each other and returns its nodes in order: full pages but the last,
 * `hasNextPage` false only on the last, `hasPreviousPage` on all but the first, no node twice, and
 * a `totalCount` (where the source has one) equal to the nodes seen.
 */
export function nodesOfWalk<N extends { id: string }>(pages: ConnectionPage<N>[], first: number): N[] {
  pages.forEach((page, index) => {
    const last = index === pages.length - 1;
    expect(page.pageInfo.hasNextPage).toBe(!last);
    expect(page.pageInfo.hasPreviousPage).toBe(index > 0);
    if (!last) expect(page.edges).toHaveLength(first);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
  });
  const nodes = pages.flatMap((page) => page.edges.map((edge) => edge.node));
  expect(new Set(nodes.map((node) => node.id)).size).toBe(nodes.length);
  expect(new Set(pages.flatMap((page) => page.edges.map((edge) => edge.cursor))).size).toBe(nodes.length);
  for (const page of pages) {
    expect(page.totalCount).toBe(pages[0]?.totalCount);
    if (page.totalCount !== null) expect(page.totalCount).toBe(nodes.length);
  }
  return nodes;
}
