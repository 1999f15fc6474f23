import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { RateWindow } from "./http/rate-budget.ts";
import type { UpstreamProtection } from "./http/upstream-client.ts";

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

/**
 * The SQLite store's location: a file path, a `file:` URL, or `:memory:`. Any other scheme is a
 * database the store does not speak (yet), which must not be mistaken for a folder name.
 */
const storeLocation = z
  .string()
  .trim()
  .default("./data/gateway.sqlite")
  .transform((value, ctx) => {
    if (value === ":memory:") return value;
    const refuse = (message: string) => {
      ctx.addIssue({ code: "custom", message: `${message} (got "${value}")` });
      return z.NEVER;
    };
    if (value.includes("?")) return refuse("SQLite URI parameters are not supported");
    const path = /^file:/i.test(value) ? filePath(value) : value;
    if (path === null) return refuse("not a local file URL");
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
      return refuse("only the embedded SQLite store is supported: a file path, a file: URL or :memory:");
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
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  // Loopback by default: the gateway has no authentication of its own and holds upstream credentials.
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
    ),
  STORE_URL: storeLocation,
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

export interface Config {
  port: number;
  host: string;
  /** Browser origins allowed to call the gateway cross-origin; none by default. */
  corsOrigins: string[];
  /** A SQLite file path or ":memory:". */
  storeUrl: string;
  /** The deadline of one GraphQL request: every upstream call and budget wait it causes ends by then. */
  requestTimeoutMs: number;
  /** Everything else about upstream protection; `redisUrl` is opened by the gateway. */
  upstream: Omit<UpstreamProtection, "redis"> & { redisUrl: string | null };
  /** null: the provider is served by the local store. */
  productive: ProductiveConfig | null;
  moneybird: MoneybirdConfig | null;
  freeAgent: FreeAgentConfig | null;
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
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  const e = parsed.data;
  requireTogether(["PRODUCTIVE_API_TOKEN", "PRODUCTIVE_ORGANIZATION_ID"], e);
  requireTogether(["MONEYBIRD_API_TOKEN", "MONEYBIRD_ADMINISTRATION_ID"], e);
  requireTogether(["FREEAGENT_REFRESH_TOKEN", "FREEAGENT_CLIENT_ID", "FREEAGENT_CLIENT_SECRET"], e);
  if (e.FREEAGENT_REFRESH_TOKEN && !e.FREEAGENT_ACCESS_TOKEN) {
    throw new ConfigError(
      "Invalid configuration: FREEAGENT_REFRESH_TOKEN set but FREEAGENT_ACCESS_TOKEN missing (set both to serve FreeAgent live)",
    );
  }

  return {
    port: e.PORT,
    host: e.HOST,
    corsOrigins: e.CORS_ORIGINS,
    storeUrl: e.STORE_URL,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    upstream: {
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      maxBodyBytes: e.UPSTREAM_MAX_BODY_BYTES,
      maxRetries: e.UPSTREAM_MAX_RETRIES,
      retryBaseMs: e.UPSTREAM_RETRY_BASE_MS,
      breakerFailures: e.BREAKER_FAILURES,
      breakerCooldownMs: e.BREAKER_COOLDOWN_MS,
      instances: e.GATEWAY_INSTANCES,
      redisUrl: e.REDIS_URL ?? null,
    },
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
