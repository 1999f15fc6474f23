/** A postal address as both accounting providers keep one (Moneybird in five lines, FreeAgent in seven). */
export interface PostalAddress {
  line1: string | null;
  line2: string | null;
  line3: string | null;
  city: string | null;
  region: string | null;
  postcode: string | null;
  country: string | null;
}

/** Builds an address, or null when every line is empty. */
export function postalAddress(parts: Partial<PostalAddress>): PostalAddress | null {
  const address: PostalAddress = {
    line1: parts.line1 || null,
    line2: parts.line2 || null,
    line3: parts.line3 || null,
    city: parts.city || null,
    region: parts.region || null,
    postcode: parts.postcode || null,
    country: parts.country || null,
  };
  return Object.values(address).some((value) => value !== null) ? address : null;
}
