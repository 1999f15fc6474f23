import { PUBLIC_MAIL_DOMAINS } from "../../domain/mail-domains.ts";

/**
 * Normalisers for customer matching: each turns what a person typed into one of the tools into a
 * key that compares equal exactly when a finance team would say "same number" / "same address".
 * They return null for a value that is no evidence at all (blank, a placeholder, a public mail
 * domain), so callers never match on it.
 */

/**
 * Case and accents folded, as `contactNameKey` (src/domain/contact.ts) orders names. Not
 * `foldCase` of src/providers/shared/text.ts: src/contacts may not import provider code.
 */
export const foldText = (value: string): string =>
  value
    .toLocaleLowerCase("en")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");

// ---------------------------------------------------------------------------------------------
// VAT / tax numbers

/**
 * The prefixes VIES knows (EU members with Greece as EL, XI for Northern Ireland), plus the
 * non-EU ones the tools' users meet most (GB since Brexit, CH, NO).
 */
const VAT_PREFIXES = new Set([
  "AT",
  "BE",
  "BG",
  "CY",
  "CZ",
  "DE",
  "DK",
  "EE",
  "EL",
  "ES",
  "FI",
  "FR",
  "HR",
  "HU",
  "IE",
  "IT",
  "LT",
  "LU",
  "LV",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SE",
  "SI",
  "SK",
  "XI",
  "GB",
  "CH",
  "NO",
]);

/** ISO 3166 codes and spellings people use, to the VAT prefix: VIES writes Greece EL, HMRC GB. */
const VAT_PREFIX_ALIASES: Record<string, string> = { GR: "EL", UK: "GB" };

/** Country names as FreeAgent and Moneybird users write them in an address, to an ISO-ish code. */
const COUNTRY_NAMES: Record<string, string> = {
  netherlands: "NL",
  "the netherlands": "NL",
  nederland: "NL",
  holland: "NL",
  belgium: "BE",
  belgie: "BE",
  belgique: "BE",
  germany: "DE",
  deutschland: "DE",
  duitsland: "DE",
  france: "FR",
  frankrijk: "FR",
  "united kingdom": "GB",
  uk: "GB",
  "great britain": "GB",
  england: "GB",
  scotland: "GB",
  wales: "GB",
  "northern ireland": "XI",
  ireland: "IE",
  greece: "EL",
  spain: "ES",
  italy: "IT",
  austria: "AT",
  luxembourg: "LU",
  denmark: "DK",
  sweden: "SE",
  finland: "FI",
  poland: "PL",
  portugal: "PT",
  switzerland: "CH",
  norway: "NO",
};

/** A country (code or name) as a VAT prefix, or null when it is none we know. */
export function vatCountry(country: string | null | undefined): string | null {
  if (!country?.trim()) return null;
  const folded = foldText(country.trim()).replace(/\s+/g, " ");
  const code = COUNTRY_NAMES[folded] ?? folded.toUpperCase();
  const prefix = VAT_PREFIX_ALIASES[code] ?? code;
  return VAT_PREFIXES.has(prefix) ? prefix : null;
}

/** A VAT number split in its country (null when neither the number nor the address gives one) and the rest. */
export interface VatKey {
  country: string | null;
  number: string;
}

/**
 * `NL 8234.56.789.B01`, `nl823456789b01` and `823456789B01` with country NL all become
 * `{ country: "NL", number: "823456789B01" }`; `UK…` becomes GB and `GR…` becomes EL (VIES).
 * Values too short or without a digit ("n/a", "-", "0000") are no number.
 */
export function normaliseVat(value: string | null | undefined, country?: string | null): VatKey | null {
  if (!value) return null;
  // Every separator people type (spaces, dots, dashes, slashes) goes: VAT numbers are alphanumeric.
  let compact = foldText(value)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "");
  let prefix: string | null = null;
  // Switzerland's UID is written CHE-123.456.789 MWST; Norway's 123456789MVA.
  if (compact.startsWith("CHE")) {
    prefix = "CH";
    compact = compact.slice(3).replace(/(MWST|TVA|IVA)$/, "");
  } else {
    const head = compact.slice(0, 2);
    const canonical = VAT_PREFIX_ALIASES[head] ?? head;
    if (/^[A-Z]{2}$/.test(head) && VAT_PREFIXES.has(canonical)) {
      prefix = canonical;
      compact = compact.slice(2);
    }
  }
  if (prefix === "NO" || (prefix === null && vatCountry(country) === "NO"))
    compact = compact.replace(/MVA$/, "");
  if (compact.length < 5 || !/\d/.test(compact) || /^0+$/.test(compact)) return null;
  return { country: prefix ?? vatCountry(country), number: compact };
}

/** Whether two VAT keys are the same number: equal digits, and no two different countries. */
export function sameVat(a: VatKey, b: VatKey): boolean {
  return a.number === b.number && (a.country === null || b.country === null || a.country === b.country);
}

/** How a VAT key is shown in evidence: the canonical VIES form when the country is known. */
export const formatVat = (key: VatKey): string => `${key.country ?? ""}${key.number}`;

// ---------------------------------------------------------------------------------------------
// Chamber of commerce numbers

/**
 * KvK (8 digits) and similar registry numbers: labels and separators go, digits stay as given
 * (a leading zero is part of a KvK number; a zero a spreadsheet dropped is not guessed back, since
 * that guess could make two companies equal). UK Companies House numbers keep their letter
 * prefix (SC123456, NI…), or they would collide with an English number.
 */
export function normaliseChamberOfCommerce(value: string | null | undefined): string | null {
  if (!value) return null;
  const compact = value
    .toUpperCase()
    .replace(/^\s*(KVK|KVK-NUMMER|KVK NUMMER|COC|CRN)\s*[:#.]?/, "")
    .replace(/[^A-Z0-9]/g, "");
  if (/^[A-Z]{2}\d{6}$/.test(compact)) return compact;
  const digits = compact.replace(/\D/g, "");
  if (digits.length < 6 || /^0+$/.test(digits)) return null;
  return digits;
}

// ---------------------------------------------------------------------------------------------
// Domains and emails

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * Consumer ISPs' and mail providers' country domains, which Productive does not refuse (so they
 * are not in PUBLIC_MAIL_DOMAINS) but which name no company either: matching must skip them too.
 */
const CONSUMER_MAIL_DOMAINS = new Set([
  "ziggo.nl",
  "kpnmail.nl",
  "kpnplanet.nl",
  "planet.nl",
  "home.nl",
  "hetnet.nl",
  "xs4all.nl",
  "casema.nl",
  "chello.nl",
  "telfort.nl",
  "upcmail.nl",
  "telenet.be",
  "skynet.be",
  "proximus.be",
  "btinternet.com",
  "sky.com",
  "virginmedia.com",
  "talktalk.net",
  "t-online.de",
  "orange.fr",
  "free.fr",
  "wanadoo.fr",
  "laposte.net",
]);
/** hotmail.nl, outlook.de, yahoo.co.uk, …: the big mail providers under every country's suffix. */
const MAIL_PROVIDER_ANY_SUFFIX =
  /^(gmail|googlemail|hotmail|outlook|live|msn|yahoo|ymail|icloud|aol|gmx|protonmail|yandex|zoho)\.[a-z]{2,3}(\.[a-z]{2})?$/;

/** Whether anyone can have an address at this (normalised) domain. */
export function isPublicMailDomain(domain: string): boolean {
  return (
    PUBLIC_MAIL_DOMAINS.has(domain) ||
    CONSUMER_MAIL_DOMAINS.has(domain) ||
    MAIL_PROVIDER_ANY_SUFFIX.test(domain)
  );
}

/**
 * A company's domain as people write it (`https://www.Acme.nl/contact`, `acme.nl.`, `jan@acme.nl`)
 * to `acme.nl`; null when it is no hostname or a public mail domain (which names no company).
 */
export function normaliseDomain(value: string | null | undefined): string | null {
  if (!value) return null;
  let host = value.trim().toLowerCase();
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  host = host.split(/[/?#]/, 1)[0] ?? "";
  // An address typed where the domain belongs: its domain is what was meant.
  host = host.slice(host.lastIndexOf("@") + 1);
  host = host
    .replace(/:\d+$/, "")
    .replace(/\.$/, "")
    .replace(/^www\d*\./, "");
  if (!HOSTNAME.test(host) || isPublicMailDomain(host)) return null;
  return host;
}

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

/**
 * `  Jan <Jan.Jansen@Acme.NL> ` to `jan.jansen@acme.nl`. The local part is folded too: the
 * standard lets it be case-sensitive, no mail server the tools' customers use treats it so.
 */
export function normaliseEmail(value: string | null | undefined): string | null {
  if (!value) return null;
  let email = value.trim();
  const angled = /<([^>]*)>/.exec(email);
  if (angled?.[1]) email = angled[1];
  email = email
    .replace(/^mailto:/i, "")
    .trim()
    .toLowerCase();
  return EMAIL.test(email) ? email : null;
}

/** Every address in a field that may hold several (`a@x.nl; b@x.nl`), normalised, without repeats. */
export function normaliseEmails(values: readonly (string | null | undefined)[]): string[] {
  const emails = new Set<string>();
  for (const value of values) {
    for (const part of (value ?? "").split(/[,;]/)) {
      const email = normaliseEmail(part);
      if (email) emails.add(email);
    }
  }
  return [...emails];
}

/** The domain of a (normalised) address when it names a company: never a public mail domain. */
export function emailDomain(email: string): string | null {
  const domain = email.slice(email.lastIndexOf("@") + 1);
  return HOSTNAME.test(domain) && !isPublicMailDomain(domain) ? domain : null;
}

/** Role addresses: at a public mail domain such an address is a placeholder many records share. */
const ROLE_LOCAL_PARTS = new Set([
  "info",
  "admin",
  "administratie",
  "boekhouding",
  "billing",
  "factuur",
  "facturen",
  "facturatie",
  "invoice",
  "invoices",
  "accounts",
  "finance",
  "office",
  "contact",
  "hello",
  "mail",
  "sales",
  "noreply",
  "no-reply",
  "test",
]);

export const isRoleAddress = (email: string): boolean =>
  ROLE_LOCAL_PARTS.has(email.slice(0, email.lastIndexOf("@")));

// ---------------------------------------------------------------------------------------------
// Names (weak evidence only)

/**
 * Legal forms dropped from the end of a name, dots already removed: "Acme B.V.", "ACME BV" and
 * "Acme" are one name. Holding, Group and the like stay: they often are another legal entity.
 */
const LEGAL_FORMS = new Set([
  "bv",
  "nv",
  "vof",
  "cv",
  "ltd",
  "limited",
  "plc",
  "llp",
  "llc",
  "lp",
  "inc",
  "incorporated",
  "corp",
  "corporation",
  "co",
  "company",
  "gmbh",
  "ag",
  "kg",
  "ug",
  "ohg",
  "ev",
  "sa",
  "sas",
  "sarl",
  "srl",
  "spa",
  "bvba",
  "sprl",
  "vzw",
  "asbl",
  "ab",
  "as",
  "aps",
  "oy",
  "oyj",
  "and",
  "en",
]);

/** A name as tokens, or null when nothing is left (a name that was only a legal form). */
export function nameTokens(value: string | null | undefined): string[] | null {
  if (!value) return null;
  const words = foldText(value)
    .replace(/&/g, " and ")
    // Dots go without a space, so B.V. is one token bv and J.P. one token jp.
    .replace(/\./g, "")
    .replace(/['’`]/g, "")
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  // "B V" and "J P Morgan": runs of single letters are one abbreviation.
  const tokens: string[] = [];
  let inInitials = false;
  for (const word of words) {
    const single = word.length === 1 && /[a-z]/.test(word);
    if (single && inInitials) tokens[tokens.length - 1] += word;
    else tokens.push(word);
    inInitials = single;
  }
  while (tokens.length > 1 && LEGAL_FORMS.has(tokens[tokens.length - 1] ?? "")) tokens.pop();
  if (tokens[0] === "the" && tokens.length > 1) tokens.shift();
  return tokens.length > 0 && !(tokens.length === 1 && LEGAL_FORMS.has(tokens[0] ?? "")) ? tokens : null;
}

/** A name's comparison key: folded, legal form and punctuation gone, `acme software`. */
export function normaliseName(value: string | null | undefined): string | null {
  return nameTokens(value)?.join(" ") ?? null;
}

/** How two names compare, as weak evidence and as a warning sign. */
export type NameAgreement = "SAME" | "SIMILAR" | "UNRELATED" | "DIFFERENT";

/**
 * SAME: equal keys, or equal once spaces go ("Acme Soft" / "AcmeSoft"). SIMILAR: one's words
 * are all in the other's ("Acme" / "Acme Software Holding"). DIFFERENT: not one word in common,
 * neither inside the other: what makes a shared VAT number worth a second look. UNRELATED:
 * some overlap, not enough to mean anything.
 */
export function compareNames(a: readonly string[], b: readonly string[]): NameAgreement {
  const compactA = a.join("");
  const compactB = b.join("");
  if (compactA === compactB) return "SAME";
  const setA = new Set(a);
  const setB = new Set(b);
  const [small, large] = setA.size <= setB.size ? [setA, setB] : [setB, setA];
  const shared = [...small].filter((token) => large.has(token));
  if (shared.length === small.size && [...small].join("").length >= 4) return "SIMILAR";
  const contained =
    (compactA.length >= 4 && compactB.includes(compactA)) ||
    (compactB.length >= 4 && compactA.includes(compactB));
  if (contained) return "SIMILAR";
  return shared.length === 0 ? "DIFFERENT" : "UNRELATED";
}
