import type { GraphQLError } from "graphql";
import type { Sources } from "./ports.ts";

/**
 * Per-request context. The per-request DataLoaders live in the Pothos dataloader plugin's cache,
 * keyed on this object, so every request starts with empty loaders.
 */
export interface GatewayContext {
  sources: Sources;
  /**
   * Failures of one provider that did not stop the field that met them (the merged `contacts`
   * connection serves the other providers); added to the response's `errors` after execution.
   */
  partialErrors: GraphQLError[];
}

export function createContext(sources: Sources): GatewayContext {
  return { sources, partialErrors: [] };
}
