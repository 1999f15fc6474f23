/**
 * What keeps client messages and logs safe to show: input quoted only in part (a 200 KB id must not
 * come back 200 KB long, a hundred times over in `nodes`), upstream text cut short, and the
 * credentials a request carried replaced before anything about it is logged or shown.
 */

/** The most characters of a client's input an error message quotes. */
export const MAX_QUOTED_INPUT = 100;

export const REDACTED = "[REDACTED]";

/** `text` cut to `max` characters, marked with "…" when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A client's input in quotes for an error message: whole when short, else its start and its length. */
export function quoteInput(input: string): string {
  if (input.length <= MAX_QUOTED_INPUT) return `"${input}"`;
  return `"${truncate(input, MAX_QUOTED_INPUT)}" (${input.length} characters)`;
}

/** Headers that never carry a credential; every other header a request sends is treated as one. */
const PUBLIC_HEADERS = new Set(["accept", "content-type", "user-agent"]);
/** Form fields of a request body (FreeAgent's token refresh) that carry credentials. */
const SECRET_FIELD = /token|secret|password/i;
/** Shorter values (an organization id "1") would redact every digit of an error body, and are no credential. */
const MIN_SECRET_LENGTH = 8;

/**
 * The credentials a request carries: its header values but the public ones (an `authorization`
 * header's token also without its scheme, a Basic one also decoded), and the secret fields of a
 * form body.
 */
export function credentialsOf(headers: Record<string, string>, body: unknown): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (PUBLIC_HEADERS.has(name.toLowerCase())) continue;
    found.push(value);
    const [, scheme, token] = /^(\w+)\s+(\S+)$/.exec(value) ?? [];
    if (!token) continue;
    found.push(token);
    if (scheme?.toLowerCase() === "basic") {
      const decoded = Buffer.from(token, "base64").toString("utf8");
      found.push(decoded, ...decoded.split(":"));
    }
  }
  if (typeof body === "string" && body.includes("=")) {
    for (const [field, value] of new URLSearchParams(body)) {
      if (SECRET_FIELD.test(field)) found.push(value);
    }
  }
  return found.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
}

/** `text` with every occurrence of each secret replaced, longest first (a token inside its header value). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return [...secrets]
    .sort((a, b) => b.length - a.length)
    .reduce((redacted, secret) => redacted.replaceAll(secret, REDACTED), text);
}

/**
 * A request path as logs show it: no query, and every segment that is not a plain word (an
 * administration id, a record id, an encoded customer id) as `{id}`; an API version and a format
 * suffix stay (`/api/v2/{id}/contacts/{id}.json`).
 */
export function pathTemplate(path: string): string {
  const [withoutQuery = ""] = path.split("?");
  return withoutQuery
    .split("/")
    .map((segment) => {
      if (/^(?:v\d+|[a-z_-]*)(?:\.json)?$/i.test(segment)) return segment;
      return segment.endsWith(".json") ? "{id}.json" : "{id}";
    })
    .join("/");
}
