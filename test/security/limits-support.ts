import { vi } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import type { Answer } from "./support.ts";

const PORTS = ["companies", "contactEntries", "moneybirdContacts", "freeAgentContacts"] as const;

/**
 * Spies on every method of every port: the returned function tells how many calls reached a
 * backend (the store, or a provider's adapter) since. A refusal before execution makes none.
 */
export function countBackendCalls(gateway: Gateway): () => number {
  const spies = PORTS.flatMap((port) => {
    const source = gateway.sources[port] as unknown as Record<string, unknown>;
    return Object.keys(source)
      .filter((method) => typeof source[method] === "function")
      .map((method) => vi.spyOn(source as Record<string, () => unknown>, method));
  });
  if (spies.length === 0) throw new Error("no port methods to count");
  return () => spies.reduce((calls, spy) => calls + spy.mock.calls.length, 0);
}

/** The one error of a refused request, with its code. */
export function onlyError(answer: Answer): { message: string; extensions: Record<string, unknown> } {
  const errors = answer.json?.errors;
  if (!Array.isArray(errors) || errors.length !== 1) {
    throw new Error(`expected exactly one error, got HTTP ${answer.status}: ${answer.text.slice(0, 2000)}`);
  }
  return errors[0];
}

/**
 * The cyclic query: companies → contactEntries → company → contactEntries …, with `first`
 * on every connection, its fields nested exactly `depth` deep (as GraphQL Armor counts them).
 */
export function cyclicQuery(depth: number, first: number): string {
  type Level = { field: string; leaf: string };
  const hop: Level[] = [
    { field: `contactEntries(first: ${first})`, leaf: "totalCount" },
    { field: "edges", leaf: "cursor" },
    { field: "node", leaf: "id" },
    { field: "company", leaf: "id" },
  ];
  const levels: Level[] = [
    { field: `companies(first: ${first})`, leaf: "totalCount" },
    { field: "edges", leaf: "cursor" },
    { field: "node", leaf: "id" },
  ];
  while (levels.length < depth - 1) levels.push(hop[(levels.length - 3) % hop.length] as Level);
  const innermost = levels.at(-1)?.leaf;
  return `{ ${levels.map(({ field }) => `${field} {`).join(" ")} ${innermost} ${"}".repeat(levels.length)} }`;
}
