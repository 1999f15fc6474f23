/** Response headers as undici gives them. */
export type UpstreamHeaders = Record<string, string | string[] | undefined>;

/** One response header by name, whatever its case; the first value when it was sent several times. */
export function headerValue(headers: UpstreamHeaders, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** `X-Total-Count`-style headers: a non-negative integer, or null when absent or malformed. */
export function integerHeader(headers: UpstreamHeaders, name: string): number | null {
  const value = headerValue(headers, name)?.trim();
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * The targets of an RFC 8288 `Link` header by relation (`next`, `prev`, `first`, `last`), as both
 * Moneybird and FreeAgent send them: `<https://…?page=2>; rel="next", <…>; rel="last"`.
 */
export function linkRelations(headers: UpstreamHeaders): Map<string, string> {
  const relations = new Map<string, string>();
  for (const link of (headerValue(headers, "link") ?? "").split(/,(?=\s*<)/)) {
    const target = /<([^>]*)>/.exec(link)?.[1];
    const rels = /;\s*rel="?([^";]+)"?/i.exec(link)?.[1];
    if (target === undefined || rels === undefined) continue;
    for (const rel of rels.trim().split(/\s+/)) relations.set(rel.toLowerCase(), target);
  }
  return relations;
}
