/**
 * Global ids and cursors are opaque to clients: base64 of a short text. Decoding is strict (a
 * string that is not canonical base64 decodes to ""), so a mangled id or cursor is refused rather
 * than read as something else.
 */
export function encodeOpaque(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

export function decodeOpaque(opaque: string): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(opaque)) return "";
  const buffer = Buffer.from(opaque, "base64");
  return buffer.toString("base64") === opaque ? buffer.toString("utf8") : "";
}
