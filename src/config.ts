import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { RateWindow } from "./http/rate-budget.ts";
import type { UpstreamProtection } from "./http/upstream-client.ts";
import { LOG_LEVELS, type LogLevel } from "./ops/logger.ts";
import { DEFAULT_LIMITS, type RequestLimits } from "./security/limits.ts";
import { isLoopbackHost } from "./security/loopback.ts";
import { readPersistedDocuments, type TrustedDocuments } from "./security/trusted-documents.ts";

const optionalString = z.string().trim().optional();

/** A provider host: scheme and host only (the adapter adds the documented API path). */
const baseUrl = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((value, ctx) => {
      const url = URL.canParse(value) ? new URL(value) : null;
      if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search || url.hash) {
        ctx.addIssue({
          code: "custom",
          message: `must be an http(s) URL with scheme and host only, such as ${fallback} (got "${value}")`,
        });
        return z.NEVER;
      }
      return url.origin;
    });

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/**
 * A credential's rate limits, `requests/seconds` comma-separated (Productive's documented ones are
 * `100/10,4000/1800`); unset, the provider's documented limits apply.
 */
const rateLimits = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return null;
    const windows = value.split(",").map((part) => /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(part));
    if (windows.some((match) => !match || Number(match[1]) < 1 || Number(match[2]) < 1)) {
      ctx.addIssue({
        code: "custom",
        message: `must be requests/seconds pairs, comma-separated, such as 100/10,4000/1800 (got "${value}")`,
      });
      return z.NEVER;
    }
    return windows.map((match) => ({ limit: Number(match?.[1]), seconds: Number(match?.[2]) }));
  });

/** Redis for the shared rate budgets: a redis:// or rediss:// URL. */
const redisUrl = z
  .string()
  .trim()
  .optional()
  .refine((value) => value === undefined || /^rediss?:\/\/[^/]/.test(value), {
    message: "must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379",
  });

/** `true` or `false`, nothing else: a typo must not silently keep (or drop) a protection. */
const flag = z.enum(["true", "false"]).transform((value) => value === "true");

const MIN_API_KEY_LENGTH = 32;
/**
 * API keys, comma-separated. Each must be long and random enough not to be guessed; the message
 * says which one is not by its position, never by its value.
 */
const apiKeys = z
  .string()
  .trim()
  .default("")
  .transform((value, ctx) => {
    const keys = value
      .split(",")
      .map((key) => key.trim())
      .filter(Boolean);
    const weak = keys.findIndex((key) => key.length < MIN_API_KEY_LENGTH || /\s/.test(key));
    if (weak >= 0) {
      ctx.addIssue({
        code: "custom",
        message: `key ${weak + 1} of ${keys.length} is shorter than ${MIN_API_KEY_LENGTH} characters or holds a space (make one with: openssl rand -hex 32)`,
      });
      return z.NEVER;
    }
    return keys;
  });

/**
 * The identity provider's JWKS document: https, or http on loopback only (a local identity
 * provider), since whoever can rewrite the keys in transit can sign any token.
 */
const jwksUrl = z
  .string()
  .trim()
  .optional()
  .refine(
    (value) => {
      if (value === undefined) return true;
      const url = URL.canParse(value) ? new URL(value) : null;
      return url?.protocol === "https:" || (url?.protocol === "http:" && isLoopbackHost(url.hostname));
    },
    {
      message:
        "must be an https URL (http only on loopback), such as https://idp.example/.well-known/jwks.json",
    },
  );

/** METRICS_TOKEN: as long and plain as an API key, since it guards an endpoint off loopback. */
const metricsToken = z
  .string()
  .trim()
  .optional()
  .refine((value) => value === undefined || (value.length >= MIN_API_KEY_LENGTH && !/\s/.test(value)), {
    message: `must be at least ${MIN_API_KEY_LENGTH} characters, without spaces (make one with: openssl rand -hex 32)`,
  });

/** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's OTLP/HTTP base URL (traces go to its /v1/traces). */
const otlpEndpoint = z
  .string()
  .trim()
  .optional()
  .refine(
    (value) => value === undefined || (URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)),
    {
      message: "must be an http(s) URL, such as http://127.0.0.1:4318",
    },
  );

const isOrigin = (value: string) => URL.canParse(value) && new URL(value).origin === value;

/** The persisted-documents manifest (codegen's persisted-documents.json), read and checked at start-up. */
const persistedDocuments = z
  .string()
  .trim()
  .optional()
  .transform((path, ctx) => {
    if (path === undefined) return null;
    try {
      return readPersistedDocuments(path);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });

/**
 * The store's location: a SQLite file path, a `file:` URL, or `:memory:`, or a PostgreSQL
 * `postgres://` / `postgresql://` URL. Any other scheme is a database the store does not speak,
 * which must not be mistaken for a folder name.
 */
const storeLocation = z
  .string()
  .trim()
  .default("./data/gateway.sqlite")
  .transform((value, ctx) => {
    if (value === ":memory:") return value;
    if (/^postgres(ql)?:\/\//i.test(value)) return value;
    const refuse = (message: string) => {
      ctx.addIssue({ code: "custom", message: `${message} (got "${value}")` });
      return z.NEVER;
    };
    if (value.includes("?")) return refuse("SQLite URI parameters are not supported");
    const path = /^file:/i.test(value) ? filePath(value) : value;
    if (path === null) return refuse("not a local file URL");
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
      return refuse("the store is a SQLite file path, a file: URL or :memory:, or a postgres:// URL");
    }
    if (path === "" || path.endsWith("/")) return refuse("names a folder, not the store's file");
    return path;
  });

/** The path of a `file:` URL (`file:///abs`, `file://localhost/abs`, or SQLite's `file:relative`); null if not local. */
function filePath(url: string): string | null {
  if (!/^file:\/\//i.test(url)) return url.slice("file:".length);
  try {
    return fileURLToPath(`file:${url.slice("file:".length)}`);
  } catch {
    return null;
  }
}

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  // Loopback by default: the gateway holds upstream credentials, and elsewhere must authenticate its callers.
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  CORS_ORIGINS: z
    .string()
    .trim()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    // Exact origins only: "*" or "null" would allow every site, or every sandboxed page.
    .refine((origins) => origins.every(isOrigin), {
      message: "must be origins (scheme, host and port only), comma-separated, such as https://app.example",
    }),
  STORE_URL: storeLocation,
  STORE_POOL_SIZE: positiveInt(10),
  CHANGES_RETENTION_DAYS: positiveInt(7),
  CUSTOMER_MATCH_INTERVAL_MS: positiveInt(1000),
  UPSTREAM_TIMEOUT_MS: positiveInt(10_000),
  REQUEST_TIMEOUT_MS: positiveInt(30_000),
  UPSTREAM_MAX_BODY_BYTES: positiveInt(8 * 1024 * 1024),
  UPSTREAM_MAX_RETRIES: nonNegativeInt(2),
  UPSTREAM_RETRY_BASE_MS: positiveInt(200),
  BREAKER_FAILURES: positiveInt(5),
  BREAKER_COOLDOWN_MS: positiveInt(30_000),
  REDIS_URL: redisUrl,
  GATEWAY_INSTANCES: positiveInt(1),
  PRODUCTIVE_RATE_LIMITS: rateLimits,
  MONEYBIRD_RATE_LIMITS: rateLimits,
  FREEAGENT_RATE_LIMITS: rateLimits,
  // Diagnostics only: `off` measures what the per-request DataLoaders save (npm run bench's N+1 baseline).
  GATEWAY_BATCHING: z.enum(["on", "off"]).default("on"),
  // The live mirror (docs/mirror.md): off by default, as it spends a share of every live provider's budget.
  MIRROR: z.enum(["on", "off"]).default("off"),
  MIRROR_INTERVAL_S: positiveInt(60),
  MIRROR_BUDGET_SHARE: z.coerce.number().gt(0).max(1).default(0.25),
  MIRROR_SWEEP_INTERVAL_S: positiveInt(600),

  // What one request may ask for: docs/production.md § Query limits gives each default's reasoning.
  MAX_REQUEST_BYTES: positiveInt(DEFAULT_LIMITS.maxRequestBytes),
  MAX_DEPTH: positiveInt(DEFAULT_LIMITS.maxDepth),
  MAX_ALIASES: nonNegativeInt(DEFAULT_LIMITS.maxAliases),
  MAX_TOKENS: positiveInt(DEFAULT_LIMITS.maxTokens),
  MAX_DIRECTIVES: nonNegativeInt(DEFAULT_LIMITS.maxDirectives),
  MAX_COST: positiveInt(DEFAULT_LIMITS.maxCost),
  MAX_INPUT_STRING_LENGTH: positiveInt(DEFAULT_LIMITS.maxInputStringLength),
  MAX_ID_LENGTH: positiveInt(DEFAULT_LIMITS.maxIdLength),
  MAX_JSON_DEPTH: positiveInt(DEFAULT_LIMITS.maxJsonDepth),

  GATEWAY_API_KEYS: apiKeys,
  GATEWAY_READ_KEYS: apiKeys,
  JWT_JWKS_URL: jwksUrl,
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  JWT_WRITE_SCOPE: z
    .string()
    .trim()
    .regex(/^\S+$/, "must be one scope, without spaces")
    .default("gateway:write"),
  ALLOW_UNAUTHENTICATED: flag.default(false),
  GRAPHIQL: flag.optional(),
  INTROSPECTION: flag.optional(),
  PERSISTED_DOCUMENTS: persistedDocuments,
  TRUSTED_DOCUMENTS_ONLY: flag.default(false),
  METRICS_TOKEN: metricsToken,
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
  OTEL_SERVICE_NAME: z.string().trim().min(1).default("contacts-gateway"),

  PRODUCTIVE_API_TOKEN: optionalString,
  PRODUCTIVE_ORGANIZATION_ID: optionalString,
  PRODUCTIVE_BASE_URL: baseUrl("https://api.productive.io"),

  MONEYBIRD_API_TOKEN: optionalString,
  MONEYBIRD_ADMINISTRATION_ID: optionalString,
  MONEYBIRD_BASE_URL: baseUrl("https://moneybird.com"),

  FREEAGENT_ACCESS_TOKEN: optionalString,
  FREEAGENT_REFRESH_TOKEN: optionalString,
  FREEAGENT_CLIENT_ID: optionalString,
  FREEAGENT_CLIENT_SECRET: optionalString,
  FREEAGENT_BASE_URL: baseUrl("https://api.freeagent.com"),
});

export interface ProductiveConfig {
  /** The credential's rate limits; the provider's documented ones when not configured. */
  rateLimits?: readonly RateWindow[];
  apiToken: string;
  organizationId: string;
  baseUrl: string;
}
export interface MoneybirdConfig {
  /** The credential's rate limits; the provider's documented ones when not configured. */
  rateLimits?: readonly RateWindow[];
  apiToken: string;
  administrationId: string;
  baseUrl: string;
}
export interface FreeAgentConfig {
  /** The credential's rate limits; the provider's documented ones when not configured. */
  rateLimits?: readonly RateWindow[];
  accessToken: string;
  /** Set only when refresh token, client id and client secret are all configured. */
  refresh: { refreshToken: string; clientId: string; clientSecret: string } | null;
  baseUrl: string;
}

/** Who may call the gateway; nothing configured lets anyone in (refused off loopback and in production). */
export interface AuthConfig {
  /** Full access: queries and mutations. */
  apiKeys: string[];
  /** Queries only. */
  readKeys: string[];
  /** JWTs from the team's identity provider, for frontends; null when not configured. */
  jwt: JwtConfig | null;
  /** Serve without authentication where that would be refused (warned about at start-up). */
  allowUnauthenticated: boolean;
}
export interface JwtConfig {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** The scope (in the `scope` or `scp` claim) that lets a token run mutations. */
  writeScope: string;
}

/**
 * Who may read /metrics: with a token, its bearers; without one, anyone, but only in development
 * on loopback. Elsewhere a reverse proxy or an open port would publish it, so it is not served.
 */
export interface MetricsConfig {
  token: string | null;
  served: boolean;
}

/** OpenTelemetry tracing; null (the default) loads none of it. */
export interface TracingConfig {
  /** The OTLP/HTTP base URL; spans are sent to `<endpoint>/v1/traces`. */
  endpoint: string;
  serviceName: string;
}

export interface Config {
  /** NODE_ENV; production hides GraphiQL and the schema unless asked for. */
  environment: "development" | "production" | "test";
  /** LOG_LEVEL: the least severe log line written; `silent` writes none. */
  logLevel: LogLevel;
  port: number;
  host: string;
  /** Browser origins allowed to call the gateway cross-origin; none by default. */
  corsOrigins: string[];
  auth: AuthConfig;
  /** GraphiQL's page on GET /graphql. */
  graphiql: boolean;
  /** Introspection, and the "Did you mean" suggestions that would reveal the schema without it. */
  introspection: boolean;
  /** The documents clients may run by `documentId` (PERSISTED_DOCUMENTS), and whether only those run. */
  trustedDocuments: TrustedDocuments;
  metrics: MetricsConfig;
  tracing: TracingConfig | null;
  /** A SQLite file path or ":memory:", or a postgres:// URL. */
  storeUrl: string;
  /** PostgreSQL connections each instance opens at most. */
  storePoolSize: number;
  /** How long the store's change log keeps a change; a `since` older than that is CHANGES_EXPIRED. */
  changesRetentionDays: number;
  /** How often customer matching reads the change log and manual decisions (ms). */
  customerPollIntervalMs: number;
  /** The deadline of one GraphQL request: every upstream call and budget wait it causes ends by then. */
  requestTimeoutMs: number;
  /** What one request may ask for: body size, the operation's shape and cost, input sizes. */
  limits: RequestLimits;
  /** Everything else about upstream protection; `redisUrl` is opened by the gateway. */
  upstream: Omit<UpstreamProtection, "redis"> & { redisUrl: string | null };
  /** GATEWAY_BATCHING: false sends every by-id read on its own (a diagnostics knob). */
  batching: boolean;
  /** The live mirror of the live providers; null when MIRROR is off. */
  mirror: MirrorConfig | null;
  /** null: the provider is served by the local store. */
  productive: ProductiveConfig | null;
  moneybird: MoneybirdConfig | null;
  freeAgent: FreeAgentConfig | null;
}

export interface MirrorConfig {
  /** Seconds between the starts of two sync rounds (a round that takes longer starts the next at once). */
  intervalSeconds: number;
  /** The share of each provider's rate budget the sync may spend (0 < share ≤ 1). */
  budgetShare: number;
  /**
   * Seconds between two full listings of a provider whose changes feed does not tell deletions
   * (FreeAgent's `updated_since`); at least the interval.
   */
  sweepIntervalSeconds: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and validates the environment once; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // A variable set to nothing (PORT= in a .env file) means "not set", never 0 or "".
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value?.trim()));
  const parsed = EnvSchema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    // One line per problem, each naming its variable: start-up prints the message as it is.
    throw new ConfigError(problems.map((problem) => `Invalid configuration: ${problem}`).join("\n"));
  }
  const e = parsed.data;
  requireTogether(["PRODUCTIVE_API_TOKEN", "PRODUCTIVE_ORGANIZATION_ID"], e);
  requireTogether(["MONEYBIRD_API_TOKEN", "MONEYBIRD_ADMINISTRATION_ID"], e);
  requireTogether(["FREEAGENT_REFRESH_TOKEN", "FREEAGENT_CLIENT_ID", "FREEAGENT_CLIENT_SECRET"], e);
  requireTogether(["JWT_JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"], e);
  refuseUnauthenticatedExposure(e);
  if (e.TRUSTED_DOCUMENTS_ONLY && !e.PERSISTED_DOCUMENTS) {
    throw new ConfigError(
      "Invalid configuration: TRUSTED_DOCUMENTS_ONLY=true but PERSISTED_DOCUMENTS missing (nothing could run)",
    );
  }
  if (e.FREEAGENT_REFRESH_TOKEN && !e.FREEAGENT_ACCESS_TOKEN) {
    throw new ConfigError(
      "Invalid configuration: FREEAGENT_REFRESH_TOKEN set but FREEAGENT_ACCESS_TOKEN missing (set both to serve FreeAgent live)",
    );
  }

  return {
    environment: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    host: e.HOST,
    corsOrigins: e.CORS_ORIGINS,
    auth: {
      apiKeys: e.GATEWAY_API_KEYS,
      readKeys: e.GATEWAY_READ_KEYS,
      jwt:
        e.JWT_JWKS_URL && e.JWT_ISSUER && e.JWT_AUDIENCE
          ? {
              jwksUrl: e.JWT_JWKS_URL,
              issuer: e.JWT_ISSUER,
              audience: e.JWT_AUDIENCE,
              writeScope: e.JWT_WRITE_SCOPE,
            }
          : null,
      allowUnauthenticated: e.ALLOW_UNAUTHENTICATED,
    },
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== "production",
    introspection: e.INTROSPECTION ?? e.NODE_ENV !== "production",
    trustedDocuments: { documents: e.PERSISTED_DOCUMENTS ?? new Map(), only: e.TRUSTED_DOCUMENTS_ONLY },
    metrics: {
      token: e.METRICS_TOKEN ?? null,
      served: e.METRICS_TOKEN !== undefined || (e.NODE_ENV !== "production" && isLoopbackHost(e.HOST)),
    },
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME }
      : null,
    storeUrl: e.STORE_URL,
    storePoolSize: e.STORE_POOL_SIZE,
    changesRetentionDays: e.CHANGES_RETENTION_DAYS,
    customerPollIntervalMs: e.CUSTOMER_MATCH_INTERVAL_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    limits: {
      maxRequestBytes: e.MAX_REQUEST_BYTES,
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxDirectives: e.MAX_DIRECTIVES,
      maxCost: e.MAX_COST,
      maxInputStringLength: e.MAX_INPUT_STRING_LENGTH,
      maxIdLength: e.MAX_ID_LENGTH,
      maxJsonDepth: e.MAX_JSON_DEPTH,
    },
    upstream: {
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      maxBodyBytes: e.UPSTREAM_MAX_BODY_BYTES,
      maxRetries: e.UPSTREAM_MAX_RETRIES,
      retryBaseMs: e.UPSTREAM_RETRY_BASE_MS,
      breakerFailures: e.BREAKER_FAILURES,
      breakerCooldownMs: e.BREAKER_COOLDOWN_MS,
      instances: e.GATEWAY_INSTANCES,
      backgroundShare: e.MIRROR_BUDGET_SHARE,
      redisUrl: e.REDIS_URL ?? null,
    },
    batching: e.GATEWAY_BATCHING === "on",
    mirror:
      e.MIRROR === "on"
        ? {
            intervalSeconds: e.MIRROR_INTERVAL_S,
            budgetShare: e.MIRROR_BUDGET_SHARE,
            sweepIntervalSeconds: Math.max(e.MIRROR_SWEEP_INTERVAL_S, e.MIRROR_INTERVAL_S),
          }
        : null,
    productive:
      e.PRODUCTIVE_API_TOKEN && e.PRODUCTIVE_ORGANIZATION_ID
        ? {
            apiToken: e.PRODUCTIVE_API_TOKEN,
            organizationId: e.PRODUCTIVE_ORGANIZATION_ID,
            baseUrl: e.PRODUCTIVE_BASE_URL,
            rateLimits: e.PRODUCTIVE_RATE_LIMITS ?? undefined,
          }
        : null,
    moneybird:
      e.MONEYBIRD_API_TOKEN && e.MONEYBIRD_ADMINISTRATION_ID
        ? {
            apiToken: e.MONEYBIRD_API_TOKEN,
            administrationId: e.MONEYBIRD_ADMINISTRATION_ID,
            baseUrl: e.MONEYBIRD_BASE_URL,
            rateLimits: e.MONEYBIRD_RATE_LIMITS ?? undefined,
          }
        : null,
    freeAgent: e.FREEAGENT_ACCESS_TOKEN
      ? {
          accessToken: e.FREEAGENT_ACCESS_TOKEN,
          refresh:
            e.FREEAGENT_REFRESH_TOKEN && e.FREEAGENT_CLIENT_ID && e.FREEAGENT_CLIENT_SECRET
              ? {
                  refreshToken: e.FREEAGENT_REFRESH_TOKEN,
                  clientId: e.FREEAGENT_CLIENT_ID,
                  clientSecret: e.FREEAGENT_CLIENT_SECRET,
                }
              : null,
          baseUrl: e.FREEAGENT_BASE_URL,
          rateLimits: e.FREEAGENT_RATE_LIMITS ?? undefined,
        }
      : null,
  };
}

/** Half a credential set is a mistake, not a request for the local store: say so at start-up. */
function requireTogether<K extends string>(names: K[], env: Partial<Record<K, string | undefined>>): void {
  const set = names.filter((name) => env[name]);
  if (set.length > 0 && set.length < names.length) {
    const missing = names.filter((name) => !env[name]);
    throw new ConfigError(`Invalid configuration: ${set.join(", ")} set but ${missing.join(", ")} missing`);
  }
}

/**
 * The gateway holds upstream credentials: it answers callers it cannot name only on loopback in
 * development, or when ALLOW_UNAUTHENTICATED says so. A key in both lists is refused too: which
 * access it grants would be a guess.
 */
function refuseUnauthenticatedExposure(e: z.infer<typeof EnvSchema>): void {
  if (e.GATEWAY_READ_KEYS.some((key) => e.GATEWAY_API_KEYS.includes(key))) {
    throw new ConfigError("Invalid configuration: a key is in both GATEWAY_API_KEYS and GATEWAY_READ_KEYS");
  }
  const authenticated = e.GATEWAY_API_KEYS.length > 0 || e.GATEWAY_READ_KEYS.length > 0 || e.JWT_JWKS_URL;
  if (authenticated || e.ALLOW_UNAUTHENTICATED) return;
  const exposure =
    e.NODE_ENV === "production"
      ? "NODE_ENV=production"
      : isLoopbackHost(e.HOST)
        ? null
        : `HOST=${e.HOST} is not loopback`;
  if (exposure === null) return;
  throw new ConfigError(
    `Invalid configuration: ${exposure} but no authentication is configured. Set GATEWAY_API_KEYS and/or GATEWAY_READ_KEYS (API keys for servers), or JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE (JWTs for frontends); or ALLOW_UNAUTHENTICATED=true to serve anyone who can reach it`,
  );
}

/**
 * What each variable means, for `--help`. Typed by the schema's keys, so a variable added to (or
 * dropped from) the schema without its line here does not compile.
 */
const MEANINGS: Record<keyof typeof EnvSchema.shape, string> = {
  NODE_ENV:
    "development, test or production; production hides GraphiQL and introspection and requires authentication",
  LOG_LEVEL: `the least severe log line written (JSON lines on stdout): ${LOG_LEVELS.join(", ")}`,
  PORT: "the port to listen on; 0 picks a free one",
  HOST: "the address or host name to listen on; anything but loopback requires authentication",
  CORS_ORIGINS: "browser origins allowed to call cross-origin, comma-separated, such as https://app.example",
  STORE_URL:
    "the local store: a SQLite file path (its folder is created), a file: URL, :memory:, or a postgres:// URL (several instances)",
  STORE_POOL_SIZE: "PostgreSQL connections one instance opens at most (a PostgreSQL STORE_URL only)",
  CHANGES_RETENTION_DAYS: "days the store's change log keeps a change; a client further behind must resync",
  CUSTOMER_MATCH_INTERVAL_MS:
    "how often customer matching follows the store's changes and manual links (the delay before a change shows in `customers`)",
  UPSTREAM_TIMEOUT_MS: "connect, headers and body timeout of one upstream attempt",
  REQUEST_TIMEOUT_MS: "one GraphQL request's deadline, for all the upstream work it causes",
  UPSTREAM_MAX_BODY_BYTES: "the largest upstream answer read",
  UPSTREAM_MAX_RETRIES: "retries of one upstream read at most",
  UPSTREAM_RETRY_BASE_MS: "the first retry's backoff, doubled per retry, with full jitter",
  BREAKER_FAILURES: "consecutive outages that open a provider's breaker",
  BREAKER_COOLDOWN_MS: "how long an open breaker fails fast before it probes",
  REDIS_URL: "redis:// or rediss:// URL sharing rate budgets and pauses across instances",
  GATEWAY_INSTANCES: "instances sharing the credentials: each one's share of a budget while Redis is down",
  PRODUCTIVE_RATE_LIMITS:
    "Productive's rate limits as requests/seconds, comma-separated; unset, the documented ones",
  MONEYBIRD_RATE_LIMITS:
    "Moneybird's rate limits as requests/seconds, comma-separated; unset, the documented ones",
  FREEAGENT_RATE_LIMITS:
    "FreeAgent's rate limits as requests/seconds, comma-separated; unset, the documented ones",
  GATEWAY_BATCHING:
    "on or off; off sends every by-id read upstream on its own, to measure what batching saves (diagnostics only)",
  MIRROR:
    "on or off: keep a synced copy of each live provider in the store, for @mirror reads, search and changes",
  MIRROR_INTERVAL_S: "seconds between the starts of two sync rounds of the mirror",
  MIRROR_BUDGET_SHARE: "the share (0 to 1) of each provider's rate budget the mirror's sync may spend",
  MIRROR_SWEEP_INTERVAL_S:
    "seconds between two full listings of FreeAgent, whose updated_since does not tell deletions",
  MAX_REQUEST_BYTES: "the largest request body: the document and its variables",
  MAX_DEPTH: "fields nested in an operation at most",
  MAX_ALIASES: "aliased fields in an operation at most",
  MAX_TOKENS: "lexical tokens of a document at most",
  MAX_DIRECTIVES: "directives in an operation at most",
  MAX_COST: "the most records a response may hold",
  MAX_INPUT_STRING_LENGTH: "the longest input string that is not an ID",
  MAX_ID_LENGTH: "the longest ID input",
  MAX_JSON_DEPTH: "objects and arrays nested in a JSON input at most",
  GATEWAY_API_KEYS: "API keys with full access, comma-separated, 32+ characters each (openssl rand -hex 32)",
  GATEWAY_READ_KEYS: "API keys for queries only, comma-separated, 32+ characters each",
  JWT_JWKS_URL:
    "the identity provider's JWKS document (https, or http on loopback); with the next two, turns JWTs on",
  JWT_ISSUER: "the iss every token must carry",
  JWT_AUDIENCE: "the aud every token must carry",
  JWT_WRITE_SCOPE: "the scope that lets a token run mutations",
  ALLOW_UNAUTHENTICATED:
    "true starts without authentication where that is refused (off loopback, in production)",
  GRAPHIQL: "true or false: GraphiQL's page on GET /graphql; unset, true except in production",
  INTROSPECTION:
    'true or false: introspection and "Did you mean" suggestions; unset, true except in production',
  PERSISTED_DOCUMENTS: "a manifest of trusted documents ({ id: document }), read and checked at start-up",
  TRUSTED_DOCUMENTS_ONLY: "true runs the manifest's documents only; needs PERSISTED_DOCUMENTS",
  METRICS_TOKEN:
    "bearer token for GET /metrics, 32+ characters; unset, /metrics is served on loopback in development only",
  OTEL_EXPORTER_OTLP_ENDPOINT: "OTLP/HTTP collector URL, such as http://127.0.0.1:4318: turns tracing on",
  OTEL_SERVICE_NAME: "the service.name of the gateway's spans",
  PRODUCTIVE_API_TOKEN: "with PRODUCTIVE_ORGANIZATION_ID: Productive served live (else from the store)",
  PRODUCTIVE_ORGANIZATION_ID: "the Productive organization the token belongs to",
  PRODUCTIVE_BASE_URL: "Productive's scheme and host; the adapter adds /api/v2",
  MONEYBIRD_API_TOKEN: "with MONEYBIRD_ADMINISTRATION_ID: Moneybird served live (else from the store)",
  MONEYBIRD_ADMINISTRATION_ID: "the Moneybird administration the token belongs to",
  MONEYBIRD_BASE_URL: "Moneybird's scheme and host",
  FREEAGENT_ACCESS_TOKEN: "FreeAgent served live (else from the store)",
  FREEAGENT_REFRESH_TOKEN: "with the client id and secret: a 401 refreshes the access token once and replays",
  FREEAGENT_CLIENT_ID: "the OAuth client the refresh token belongs to",
  FREEAGENT_CLIENT_SECRET: "that OAuth client's secret",
  FREEAGENT_BASE_URL: "FreeAgent's scheme and host; the sandbox is https://api.sandbox.freeagent.com",
};

export interface ConfigVariable {
  name: string;
  /** As it would be written in the environment; "" when unset means none. */
  defaultValue: string;
  meaning: string;
}

/** Every variable loadConfig reads, in the schema's order, with the default the schema itself applies. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.entries(EnvSchema.shape).map(
  ([name, schema]) => ({
    name,
    defaultValue: String(defaultOf(schema) ?? ""),
    meaning: MEANINGS[name as keyof typeof MEANINGS],
  }),
);

/** The default a field's schema fills in, looking through the transforms piped after it. */
function defaultOf(schema: z.ZodType): unknown {
  if (schema instanceof z.ZodDefault) return schema.def.defaultValue;
  if (schema instanceof z.ZodPipe) return defaultOf(schema.in as z.ZodType);
  return undefined;
}
