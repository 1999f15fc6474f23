import type { Gateway } from "../../src/gateway.ts";

export interface GraphQLResponseError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown> & { code?: string };
}

export interface GraphQLResponse<T> {
  status: number;
  data: T;
  errors?: GraphQLResponseError[];
}

/**
 * Runs an operation through `yoga.fetch`: the whole HTTP path (parsing, masking), no port opened.
 * `T` defaults to `any` because tests read ad-hoc selections; typed documents are codegen's job.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function execute<T = any>(
  gateway: Gateway,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<T>> {
  const response = await gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: GraphQLResponseError[] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** Like `execute`, but fails the test with the operation and the whole body when there are errors. */
// biome-ignore lint/suspicious/noExplicitAny: see `execute`
export async function executeOk<T = any>(
  gateway: Gateway,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const result = await execute<T>(gateway, query, variables);
  if (result.errors?.length || result.status !== 200) {
    throw new Error(
      `GraphQL operation failed (HTTP ${result.status})\n--- operation\n${query}\n--- variables\n${JSON.stringify(variables, null, 2)}\n--- response\n${JSON.stringify(result, null, 2)}`,
    );
  }
  return result.data;
}
