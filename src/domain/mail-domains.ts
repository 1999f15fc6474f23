/**
 * Mail providers' domains: anyone can have an address there, so such a domain names no company.
 * Productive refuses them as a company's domain (src/providers/productive/rules.ts), and customer
 * matching (src/contacts/customers) never takes them as evidence. Kept here, in the domain layer,
 * because both the provider rules and the cross-provider logic need the one list.
 */
export const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  "gmail.com",
  "googlemail.com",
  "yahoo.com",
  "ymail.com",
  "hotmail.com",
  "outlook.com",
  "live.com",
  "msn.com",
  "icloud.com",
  "me.com",
  "mac.com",
  "aol.com",
  "protonmail.com",
  "proton.me",
  "gmx.com",
  "gmx.de",
  "gmx.net",
  "web.de",
  "mail.com",
  "yandex.com",
  "zoho.com",
]);
