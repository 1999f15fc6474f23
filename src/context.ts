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
  /** Who sent the request (src/security/auth.ts decides). */
  viewer: Viewer;
}

export interface Viewer {
  /** An API key, a verified JWT, or nobody: the caller of a gateway without authentication. */
  kind: "api-key" | "jwt" | "anonymous";
  /** Whether it may run mutations; every viewer may run queries. */
  canWrite: boolean;
}

/** Everyone, with full access: the viewer of every request when no authentication is configured. */
export const UNAUTHENTICATED_VIEWER: Viewer = Object.freeze({ kind: "anonymous", canWrite: true });

export function createContext(sources: Sources, viewer: Viewer = UNAUTHENTICATED_VIEWER): GatewayContext {
  return { sources, partialErrors: [], viewer };
}
