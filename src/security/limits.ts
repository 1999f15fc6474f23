/**
 * What one request may ask of the gateway. Each is configurable (src/config.ts); the reasoning
 * behind every default is in docs/production.md § Query limits.
 */
export interface RequestLimits {
  /** Bytes of one request body: the document and its variables together. */
  maxRequestBytes: number;
  /** Nesting of fields in an operation (fragments add no depth of their own). */
  maxDepth: number;
  /** Aliased fields in an operation. */
  maxAliases: number;
  /** Lexical tokens in a document. */
  maxTokens: number;
  /** Directives in an operation. */
  maxDirectives: number;
  /** The most records an operation's response may hold, as src/security/query-cost.ts counts them. */
  maxCost: number;
  /** UTF-16 code units of any input string that is not an ID. */
  maxInputStringLength: number;
  /** UTF-16 code units of an ID input (global ids and cursors are well under 100). */
  maxIdLength: number;
  /** Nesting of objects and arrays inside a JSON input. */
  maxJsonDepth: number;
}

export const DEFAULT_LIMITS: RequestLimits = {
  maxRequestBytes: 100 * 1024,
  maxDepth: 12,
  maxAliases: 15,
  maxTokens: 2_000,
  maxDirectives: 20,
  maxCost: 25_000,
  maxInputStringLength: 10_000,
  maxIdLength: 200,
  maxJsonDepth: 32,
};

/** 1010100 → "1,010,100": limits and measurements read at a glance in error messages. */
export const formatCount = (count: number) => count.toLocaleString("en-US");
