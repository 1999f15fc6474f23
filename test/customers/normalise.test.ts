import { describe, expect, it } from "vitest";
import {
  compareNames,
  emailDomain,
  nameTokens,
  normaliseChamberOfCommerce,
  normaliseDomain,
  normaliseEmail,
  normaliseEmails,
  normaliseName,
  normaliseVat,
  sameVat,
} from "../../src/contacts/customers/normalise.ts";

describe("normaliseVat", () => {
  it("makes one number of the ways people type a Dutch VAT number", () => {
    const canonical = { country: "NL", number: "823456789B01" };
    expect(normaliseVat("NL 8234.56.789.B01")).toEqual(canonical);
    expect(normaliseVat("nl823456789b01")).toEqual(canonical);
    expect(normaliseVat("823456789B01", "NL")).toEqual(canonical);
    expect(normaliseVat("823456789B01", "Netherlands")).toEqual(canonical);
    expect(normaliseVat("NL-823456789-B01")).toEqual(canonical);
  });

  it("writes Greece EL and the United Kingdom GB, as VIES and HMRC do", () => {
    expect(normaliseVat("GR 094 259 216")).toEqual({ country: "EL", number: "094259216" });
    expect(normaliseVat("094259216", "GR")).toEqual({ country: "EL", number: "094259216" });
    expect(normaliseVat("094259216", "Greece")).toEqual({ country: "EL", number: "094259216" });
    expect(normaliseVat("UK 987 6543 21")).toEqual({ country: "GB", number: "987654321" });
    expect(normaliseVat("GB987654321")).toEqual({ country: "GB", number: "987654321" });
  });

  it("reads Swiss and Norwegian suffixes", () => {
    expect(normaliseVat("CHE-123.456.789 MWST")).toEqual({ country: "CH", number: "123456789" });
    expect(normaliseVat("NO 923 609 016 MVA")).toEqual({ country: "NO", number: "923609016" });
  });

  it("is no number for placeholders", () => {
    for (const value of [null, "", "n/a", "-", "0000000", "NL", "12"]) expect(normaliseVat(value)).toBeNull();
  });

  it("compares a number without a country to the same number with one, never across countries", () => {
    const bare = normaliseVat("823456789B01");
    const dutch = normaliseVat("NL823456789B01");
    const belgian = normaliseVat("BE823456789B01");
    if (!bare || !dutch || !belgian) throw new Error("expected numbers");
    expect(bare.country).toBeNull();
    expect(sameVat(bare, dutch)).toBe(true);
    expect(sameVat(dutch, belgian)).toBe(false);
  });
});

describe("normaliseChamberOfCommerce", () => {
  it("keeps digits, and the leading zero of a KvK number", () => {
    expect(normaliseChamberOfCommerce("KvK 0612 3456")).toBe("06123456");
    expect(normaliseChamberOfCommerce("06.12.34.56")).toBe("06123456");
    expect(normaliseChamberOfCommerce("KVK-nummer: 34123456")).toBe("34123456");
  });

  it("keeps the letters of a Companies House prefix, and refuses placeholders", () => {
    expect(normaliseChamberOfCommerce("SC 123456")).toBe("SC123456");
    expect(normaliseChamberOfCommerce("123")).toBeNull();
    expect(normaliseChamberOfCommerce("00000000")).toBeNull();
    expect(normaliseChamberOfCommerce("")).toBeNull();
  });
});

describe("domains and emails", () => {
  it("reduces a website to its host", () => {
    expect(normaliseDomain("https://www.Acme.nl/contact?x=1")).toBe("acme.nl");
    expect(normaliseDomain("acme.nl.")).toBe("acme.nl");
    expect(normaliseDomain("http://shop.acme.co.uk:8080")).toBe("shop.acme.co.uk");
    expect(normaliseDomain("jan@acme.nl")).toBe("acme.nl");
    expect(normaliseDomain("not a domain")).toBeNull();
  });

  it("never takes a public mail domain for a company's", () => {
    // gmail.com is the shared list's (src/domain/mail-domains.ts); the others are matching's own.
    for (const value of ["gmail.com", "www.hotmail.com", "hotmail.nl", "ziggo.nl", "yahoo.co.uk"]) {
      expect(normaliseDomain(value)).toBeNull();
    }
    expect(emailDomain("jan@gmail.com")).toBeNull();
    expect(emailDomain("jan@kpnmail.nl")).toBeNull();
    expect(emailDomain("jan@acme.nl")).toBe("acme.nl");
  });

  it("trims and folds addresses, and splits fields holding several", () => {
    expect(normaliseEmail("  Jan <Jan.Jansen@Acme.NL> ")).toBe("jan.jansen@acme.nl");
    expect(normaliseEmail("mailto:INFO@acme.nl")).toBe("info@acme.nl");
    expect(normaliseEmail("acme.nl")).toBeNull();
    expect(normaliseEmails(["a@acme.nl; B@acme.nl", "a@acme.nl", null])).toEqual(["a@acme.nl", "b@acme.nl"]);
  });
});

describe("names", () => {
  it("drops legal forms, case, accents and punctuation", () => {
    expect(normaliseName("Acme B.V.")).toBe("acme");
    expect(normaliseName("ACME BV")).toBe("acme");
    expect(normaliseName("Acme b. v.")).toBe("acme");
    expect(normaliseName("Harrow & Sons Ltd")).toBe("harrow and sons");
    expect(normaliseName("Harrow and Sons Limited")).toBe("harrow and sons");
    expect(normaliseName("Müller GmbH")).toBe("muller");
    expect(normaliseName("Olympia Olive Oil S.A.")).toBe("olympia olive oil");
    expect(normaliseName("Philips N.V.")).toBe("philips");
    expect(normaliseName("Stripe, Inc.")).toBe("stripe");
    expect(normaliseName("Widgets LLC")).toBe("widgets");
    expect(normaliseName("Rolls plc")).toBe("rolls");
    expect(normaliseName("The Bakery")).toBe("bakery");
    expect(normaliseName("J.P. Morgan")).toBe("jp morgan");
    expect(normaliseName("B.V.")).toBeNull();
  });

  it("grades agreement, DIFFERENT only without a word in common", () => {
    const tokens = (name: string) => nameTokens(name) ?? [];
    expect(compareNames(tokens("Acme Soft"), tokens("AcmeSoft B.V."))).toBe("SAME");
    expect(compareNames(tokens("Acme"), tokens("Acme Software Holding"))).toBe("SIMILAR");
    expect(compareNames(tokens("Noordkaap"), tokens("NK Beheer B.V."))).toBe("DIFFERENT");
    expect(compareNames(tokens("Sanne Bakker"), tokens("S. Bakker"))).toBe("UNRELATED");
  });
});
