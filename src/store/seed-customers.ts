import type {
  CreateCompany,
  CreateContactPerson,
  CreateFreeAgentContact,
  CreateMoneybirdContact,
  Provider,
} from "../domain/index.ts";
import { displayName } from "../domain/index.ts";
import type { Db } from "./database.ts";
import { insertFreeAgentContact } from "./freeagent.ts";
import { insertContactPerson, insertMoneybirdContact } from "./moneybird.ts";
import { insertCompany } from "./productive.ts";

/**
 * Customers of the demo data that exist in two or three of the tools (issue 16), written the way
 * people really fill the tools in, plus the traps customer matching must not fall into. A fixed
 * list, no PRNG: the random records are seeded first and stay exactly as they were.
 *
 * Ground truth: `SEED_CUSTOMERS` names each real customer and its records by provider and
 * display name (a company's `name`, a contact's `displayName`), unique per provider among all
 * seeded records, so a test resolves them after seeding. A record of no entry is a random one,
 * its own customer.
 */

interface SharedCustomer {
  /** The ground truth's name of the customer. */
  customer: string;
  productive?: CreateCompany;
  moneybird?: { contact: CreateMoneybirdContact; people?: CreateContactPerson[] };
  freeAgent?: CreateFreeAgentContact;
}

/** The city of a company's address, by its country: every address entry of the demo data has one. */
const HEADQUARTERS: Record<string, string> = {
  Netherlands: "Amsterdam",
  "United Kingdom": "London",
  GB: "London",
  Sweden: "Stockholm",
  Belgium: "Antwerp",
  Germany: "Berlin",
};

/** A Productive company as an agency enters it: the domain, a general address, maybe a VAT number. */
function company(
  name: string,
  fields: { domain: string; country: string; vat?: string; billingName?: string; emails?: string[] },
): CreateCompany {
  const emails = fields.emails ?? [`info@${fields.domain}`];
  return {
    name,
    billingName: fields.billingName ?? null,
    vat: fields.vat ?? null,
    defaultCurrency: fields.country === "United Kingdom" ? "GBP" : "EUR",
    domain: fields.domain,
    contact: {
      emails: emails.map((email, i) => ({ name: i === 0 ? "General" : "Billing", email })),
      phones: [],
      websites: [{ name: "Website", website: `https://www.${fields.domain}` }],
      addresses: [
        { name: "Headquarters", city: HEADQUARTERS[fields.country] ?? null, country: fields.country },
      ],
    },
  };
}

/** A Moneybird contact: the administration's Dutch defaults unless the country says otherwise. */
function moneybird(
  fields: Pick<
    CreateMoneybirdContact,
    "companyName" | "firstName" | "lastName" | "taxNumber" | "chamberOfCommerce" | "sendInvoicesToEmail"
  > & { city: string; country?: string },
  people?: CreateContactPerson[],
): SharedCustomer["moneybird"] {
  const { city, country = "NL", ...contact } = fields;
  return {
    contact: { ...contact, address: { line1: "Stationsweg 1", city, country }, deliveryMethod: "Email" },
    ...(people ? { people } : {}),
  };
}

const UK = "United Kingdom";

function freeAgent(
  fields: Pick<
    CreateFreeAgentContact,
    "companyName" | "firstName" | "lastName" | "email" | "billingEmail" | "taxNumber"
  > & { city: string; country?: string },
): CreateFreeAgentContact {
  const { city, country = UK, ...contact } = fields;
  return { ...contact, address: { line1: "1 High Street", city, country }, status: "Active" };
}

const SHARED_CUSTOMERS: readonly SharedCustomer[] = [
  // VAT typed three ways (dots and spaces, no spaces, lower case) and the legal form in two of three.
  {
    customer: "zeeland-zonnepanelen",
    productive: company("Zeeland Zonnepanelen", {
      domain: "zeelandzon.nl",
      country: "Netherlands",
      vat: "NL 8532.10.274.B01",
      billingName: "Zeeland Zonnepanelen B.V.",
    }),
    moneybird: moneybird({
      companyName: "Zeeland Zonnepanelen B.V.",
      taxNumber: "NL853210274B01",
      chamberOfCommerce: "62804417",
      sendInvoicesToEmail: "facturen@zeelandzon.nl",
      city: "Middelburg",
    }),
    freeAgent: freeAgent({
      companyName: "Zeeland Zonnepanelen BV",
      email: "accounts@zeelandzon.nl",
      taxNumber: "nl853210274b01",
      city: "Middelburg",
      country: "Netherlands",
    }),
  },
  // No VAT in Productive: its domain is the contact's mail domain; the names only similar.
  {
    customer: "kade-koffie",
    productive: company("Kade Koffie", { domain: "kadekoffie.nl", country: "Netherlands" }),
    moneybird: moneybird({
      companyName: "Kade Koffiebranders B.V.",
      taxNumber: "812345019B01",
      chamberOfCommerce: "70112384",
      sendInvoicesToEmail: "administratie@kadekoffie.nl",
      city: "Rotterdam",
    }),
  },
  // GB 123 4567 89 in Productive, GB123456789 in FreeAgent; & for and.
  {
    customer: "thistle-rowan",
    productive: company("Thistle & Rowan", {
      domain: "thistlerowan.co.uk",
      country: UK,
      vat: "GB 123 4567 89",
    }),
    freeAgent: freeAgent({
      companyName: "Thistle and Rowan Ltd",
      email: "hello@thistlerowan.co.uk",
      taxNumber: "GB123456789",
      city: "Edinburgh",
    }),
  },
  // UK for GB; a British client in the Dutch administration as well.
  {
    customer: "brackenbury-print",
    productive: company("Brackenbury Print", { domain: "brackenburyprint.co.uk", country: UK }),
    moneybird: moneybird({
      companyName: "Brackenbury Print Ltd",
      taxNumber: "GB482193765",
      sendInvoicesToEmail: "accounts@brackenburyprint.co.uk",
      city: "Leeds",
      country: "GB",
    }),
    freeAgent: freeAgent({
      companyName: "Brackenbury Print Ltd",
      email: "jo@brackenburyprint.co.uk",
      taxNumber: "UK 482 1937 65",
      city: "Leeds",
    }),
  },
  // A trading name in Productive, the legal name in Moneybird: only the VAT number ties them.
  {
    customer: "noorderzon-studio",
    productive: company("Noorderzon Studio", {
      domain: "noorderzon-studio.nl",
      country: "Netherlands",
      vat: "NL861203557B01",
    }),
    moneybird: moneybird({
      companyName: "Lichtveld Holding B.V.",
      taxNumber: "NL 8612.03.557.B01",
      chamberOfCommerce: "58120993",
      sendInvoicesToEmail: "administratie@lichtveldholding.nl",
      city: "Groningen",
    }),
  },
  // One exact address in both, under names that share a single word.
  {
    customer: "oostpoort-fysio",
    productive: company("Oostpoort Fysio", {
      domain: "oostpoortfysio.nl",
      country: "Netherlands",
      emails: ["info@oostpoortfysio.nl", "marieke@oostpoortfysio.nl"],
    }),
    moneybird: moneybird({
      companyName: "Fysiotherapie Oostpoort",
      sendInvoicesToEmail: "marieke@oostpoortfysio.nl",
      city: "Amsterdam",
    }),
  },
  // No identifier anywhere: the domain carries the match, in all three tools.
  {
    customer: "veenstra-catering",
    productive: company("Veenstra Catering", { domain: "veenstracatering.nl", country: "Netherlands" }),
    moneybird: moneybird({
      companyName: "Veenstra Catering V.O.F.",
      sendInvoicesToEmail: "boekhouding@veenstracatering.nl",
      city: "Zwolle",
    }),
    freeAgent: freeAgent({
      companyName: "Veenstra Catering",
      email: "events@veenstracatering.nl",
      city: "Zwolle",
      country: "Netherlands",
    }),
  },
  // A sole trader with her own gmail in both accounting tools: address and name together link.
  {
    customer: "femke-hoogeveen",
    moneybird: moneybird({
      firstName: "Femke",
      lastName: "Hoogeveen",
      sendInvoicesToEmail: "femke.hoogeveen@gmail.com",
      city: "Haarlem",
    }),
    freeAgent: freeAgent({
      firstName: "Femke",
      lastName: "Hoogeveen",
      email: "femke.hoogeveen@gmail.com",
      city: "Haarlem",
      country: "Netherlands",
    }),
  },
  // The number without a prefix in Moneybird, the address in the UK supplying it.
  {
    customer: "marlowe-analytics",
    productive: company("Marlowe Analytics", {
      domain: "marlowe-analytics.co.uk",
      country: UK,
      vat: "GB 301 2288 47",
    }),
    moneybird: moneybird({
      companyName: "Marlowe Analytics Ltd",
      taxNumber: "301228847",
      sendInvoicesToEmail: "finance@marlowe-analytics.co.uk",
      city: "London",
      country: "GB",
    }),
    freeAgent: freeAgent({
      companyName: "Marlowe Analytics Limited",
      email: "accounts@marlowe-analytics.co.uk",
      taxNumber: "GB301228847",
      city: "London",
    }),
  },
  {
    customer: "delfts-blauw-design",
    productive: company("Delfts Blauw Design", {
      domain: "delftsblauwdesign.nl",
      country: "Netherlands",
      vat: "nl 8199.44.021.b01",
    }),
    moneybird: moneybird({
      companyName: "Delfts Blauw Design B.V.",
      taxNumber: "NL819944021B01",
      chamberOfCommerce: "27093318",
      sendInvoicesToEmail: "facturen@delftsblauwdesign.nl",
      city: "Den Haag",
    }),
    freeAgent: freeAgent({
      companyName: "Delfts Blauw Design BV",
      email: "invoices@delftsblauwdesign.nl",
      city: "Delft",
      country: "Netherlands",
    }),
  },
  {
    customer: "harbourside-joinery",
    productive: company("Harbourside Joinery", { domain: "harboursidejoinery.co.uk", country: UK }),
    freeAgent: freeAgent({
      companyName: "Harbourside Joinery Ltd",
      email: "accounts@harboursidejoinery.co.uk",
      taxNumber: "GB 744 2019 38",
      city: "Bristol",
    }),
  },
  // & and en, "Co" a legal form; FreeAgent's number without NL, the address in the Netherlands.
  {
    customer: "gracht-co",
    productive: company("Gracht & Co", {
      domain: "grachtenco.nl",
      country: "Netherlands",
      vat: "NL 8077.31.965.B01",
    }),
    moneybird: moneybird({
      companyName: "Gracht en Co B.V.",
      taxNumber: "NL807731965B01",
      sendInvoicesToEmail: "administratie@grachtenco.nl",
      city: "Amsterdam",
    }),
    freeAgent: freeAgent({
      companyName: "Gracht & Co",
      email: "facturen@grachtenco.nl",
      taxNumber: "807731965B01",
      city: "Amsterdam",
      country: "Netherlands",
    }),
  },
  {
    customer: "pennine-outdoor",
    productive: company("Pennine Outdoor", { domain: "pennineoutdoor.co.uk", country: UK }),
    freeAgent: freeAgent({
      companyName: "Pennine Outdoor Ltd",
      firstName: "Sam",
      lastName: "Ashworth",
      email: "sam@pennineoutdoor.co.uk",
      city: "Manchester",
    }),
  },
  // Moneybird reaches it through a contact person's address as well.
  {
    customer: "waddenzee-logistiek",
    productive: company("Waddenzee Logistiek", {
      domain: "waddenzeelogistiek.nl",
      country: "Netherlands",
      vat: "NL802266113B01",
      billingName: "Waddenzee Logistiek B.V.",
    }),
    moneybird: moneybird(
      {
        companyName: "Waddenzee Logistiek",
        taxNumber: "NL 802266113 B01",
        chamberOfCommerce: "01182345",
        sendInvoicesToEmail: "facturen@waddenzeelogistiek.nl",
        city: "Harlingen",
      },
      [{ firstName: "Pieter", lastName: "Zijlstra", email: "pieter@waddenzeelogistiek.nl" }],
    ),
    freeAgent: freeAgent({
      companyName: "Waddenzee Logistiek B.V.",
      email: "pieter@waddenzeelogistiek.nl",
      taxNumber: "NL802266113B01",
      city: "Harlingen",
      country: "Netherlands",
    }),
  },
  // A .io domain; UK for GB in Moneybird.
  {
    customer: "coldharbour-software",
    productive: company("Coldharbour Software", {
      domain: "coldharbour.io",
      country: UK,
      vat: "GB 219 8876 04",
    }),
    moneybird: moneybird({
      companyName: "Coldharbour Software Ltd",
      taxNumber: "UK219887604",
      sendInvoicesToEmail: "accounts@coldharbour.io",
      city: "London",
      country: "GB",
    }),
    freeAgent: freeAgent({
      companyName: "Coldharbour Software Ltd",
      email: "billing@coldharbour.io",
      taxNumber: "GB219887604",
      city: "London",
    }),
  },
  // A person's name and a trading name on one Moneybird contact.
  {
    customer: "studio-vlam",
    productive: company("Studio Vlam", { domain: "studiovlam.nl", country: "Netherlands" }),
    moneybird: moneybird({
      companyName: "Studio Vlam",
      firstName: "Joris",
      lastName: "Vlam",
      sendInvoicesToEmail: "joris@studiovlam.nl",
      city: "Utrecht",
    }),
  },
  {
    customer: "blackthorn-legal",
    productive: company("Blackthorn Legal", {
      domain: "blackthornlegal.co.uk",
      country: UK,
      vat: "GB903447126",
    }),
    freeAgent: freeAgent({
      companyName: "Blackthorn Legal LLP",
      email: "fees@blackthornlegal.co.uk",
      taxNumber: "GB 903 4471 26",
      city: "London",
    }),
  },
  // Only in the two accounting tools, on the VAT number alone.
  {
    customer: "keizer-kantoorinrichting",
    moneybird: moneybird({
      companyName: "Keizer Kantoorinrichting B.V.",
      taxNumber: "NL 8344.90.112.B01",
      chamberOfCommerce: "34221907",
      sendInvoicesToEmail: "crediteuren@keizer-kantoor.nl",
      city: "Utrecht",
    }),
    freeAgent: freeAgent({
      companyName: "Keizer Kantoorinrichting",
      email: "purchasing@keizerkantoor.com",
      taxNumber: "NL834490112B01",
      city: "Utrecht",
      country: "Netherlands",
    }),
  },
  // A short name in Productive, the full one as its billing name and in Moneybird.
  {
    customer: "eikenhout-meubelmakers",
    productive: company("Eikenhout", {
      domain: "eikenhout-meubels.nl",
      country: "Netherlands",
      billingName: "Eikenhout Meubelmakers B.V.",
    }),
    moneybird: moneybird({
      companyName: "Eikenhout Meubelmakers B.V.",
      sendInvoicesToEmail: "info@eikenhout-meubels.nl",
      city: "Eindhoven",
    }),
  },
  // A Swedish client: SE with spaces, AB a legal form.
  {
    customer: "lindqvist-interiors",
    productive: company("Lindqvist Interiors", {
      domain: "lindqvistinteriors.se",
      country: "Sweden",
      vat: "SE556677889901",
    }),
    freeAgent: freeAgent({
      companyName: "Lindqvist Interiors AB",
      email: "ekonomi@lindqvistinteriors.se",
      taxNumber: "SE 5566 7788 9901",
      city: "Stockholm",
      country: "Sweden",
    }),
  },
  // One person's exact address in both accounting tools, the domain in Productive.
  {
    customer: "rivierduin-advies",
    productive: company("Rivierduin Advies", { domain: "rivierduin.nl", country: "Netherlands" }),
    moneybird: moneybird({
      companyName: "Rivierduin Advies",
      taxNumber: "NL8166.02.339.B01",
      sendInvoicesToEmail: "anouk@rivierduin.nl",
      city: "Arnhem",
    }),
    freeAgent: freeAgent({
      companyName: "Rivierduin Advies B.V.",
      email: "anouk@rivierduin.nl",
      city: "Arnhem",
      country: "Netherlands",
    }),
  },
  // One VAT number in Productive and Moneybird; FreeAgent's same name is another company (below).
  {
    customer: "vermeer-utrecht",
    productive: company("Vermeer Installatietechniek", {
      domain: "vermeer-installatie.nl",
      country: "Netherlands",
      vat: "NL811477205B01",
    }),
    moneybird: moneybird({
      companyName: "Vermeer Installatietechniek B.V.",
      taxNumber: "NL 8114.77.205.B01",
      chamberOfCommerce: "30118842",
      sendInvoicesToEmail: "info@vermeer-installatie.nl",
      city: "Utrecht",
    }),
  },

  // The traps: each record below is a customer of its own.
  // The same name, another legal entity: a different VAT number and domain.
  {
    customer: "vermeer-zwolle",
    freeAgent: freeAgent({
      companyName: "Vermeer Installatietechniek B.V.",
      email: "kantoor@vermeertechniek.nl",
      taxNumber: "NL 8299.31.640.B01",
      city: "Zwolle",
      country: "Netherlands",
    }),
  },
  // A bookkeeper's own gmail on two clients' invoices, and an outlook address on two others.
  {
    customer: "bakkerij-zonneveld",
    moneybird: moneybird({
      companyName: "Bakkerij Zonneveld",
      sendInvoicesToEmail: "h.vandenberg.boekhouding@gmail.com",
      city: "Leiden",
    }),
  },
  {
    customer: "kroon-tiling",
    freeAgent: freeAgent({
      companyName: "Kroon Tiling Ltd",
      email: "mark@kroontiling.co.uk",
      billingEmail: "h.vandenberg.boekhouding@gmail.com",
      city: "Cardiff",
    }),
  },
  {
    customer: "fietsenwinkel-rood",
    productive: company("Fietsenwinkel Rood", {
      domain: "fietsenwinkelrood.nl",
      country: "Netherlands",
      emails: ["winkel@fietsenwinkelrood.nl", "admin.debruijn@outlook.com"],
    }),
  },
  {
    customer: "schildersbedrijf-maas",
    moneybird: moneybird({
      companyName: "Schildersbedrijf Maas",
      sendInvoicesToEmail: "admin.debruijn@outlook.com",
      city: "Dordrecht",
    }),
  },
  // info@gmail.com as a placeholder, in all three tools.
  {
    customer: "snackbar-de-hoek",
    productive: company("Snackbar De Hoek", {
      domain: "snackbardehoek.nl",
      country: "Netherlands",
      emails: ["info@gmail.com"],
    }),
  },
  {
    customer: "kapsalon-lokken",
    moneybird: moneybird({
      companyName: "Kapsalon Lokken",
      sendInvoicesToEmail: "info@gmail.com",
      city: "Zwolle",
    }),
  },
  {
    customer: "corner-cafe",
    freeAgent: freeAgent({ companyName: "Corner Cafe", email: "info@gmail.com", city: "Leeds" }),
  },
  // Similar names, nothing else in common: two companies each.
  {
    customer: "noordster-media",
    productive: company("Noordster Media", { domain: "noordstermedia.nl", country: "Netherlands" }),
  },
  {
    customer: "noordster-media-producties",
    moneybird: moneybird({
      companyName: "Noordster Media Producties",
      sendInvoicesToEmail: "post@noordster-producties.nl",
      city: "Groningen",
    }),
  },
  {
    customer: "ashgrove-consulting-group",
    productive: company("Ashgrove Consulting Group", { domain: "ashgrovegroup.co.uk", country: UK }),
  },
  {
    customer: "ashgrove-consulting",
    freeAgent: freeAgent({
      companyName: "Ashgrove Consulting Ltd",
      email: "office@ashgroveconsulting.co.uk",
      city: "Bristol",
    }),
  },
];

export interface SeedCustomerRecord {
  provider: Provider;
  /** A company's name, a contact's display name: unique per provider in the seeded store. */
  name: string;
}

/** The name a contact is listed and read under, as the tool shows it. */
const contactName = (input: CreateMoneybirdContact | CreateFreeAgentContact) =>
  displayName({
    companyName: input.companyName ?? null,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
  });

/** The ground truth: every shared customer with its records (random records are their own customers). */
export const SEED_CUSTOMERS: readonly { customer: string; records: SeedCustomerRecord[] }[] =
  SHARED_CUSTOMERS.map(({ customer, productive, moneybird, freeAgent }) => ({
    customer,
    records: [
      ...(productive ? [{ provider: "PRODUCTIVE" as const, name: productive.name }] : []),
      ...(moneybird ? [{ provider: "MONEYBIRD" as const, name: contactName(moneybird.contact) }] : []),
      ...(freeAgent ? [{ provider: "FREEAGENT" as const, name: contactName(freeAgent) }] : []),
    ],
  }));

export const SHARED_SEED_SIZE = {
  productiveCompanies: SHARED_CUSTOMERS.filter((c) => c.productive).length,
  moneybirdContacts: SHARED_CUSTOMERS.filter((c) => c.moneybird).length,
  freeAgentContacts: SHARED_CUSTOMERS.filter((c) => c.freeAgent).length,
};

const HOUR_MS = 3_600_000;
/** After every random record's dates (the latest, an archiving, falls in August 2026). */
const SHARED_FROM = Date.parse("2026-09-01T09:00:00Z");

/** Writes the shared customers, a day apart, through the same insert code as the random records. */
export async function seedSharedCustomers(db: Db): Promise<void> {
  for (const [day, { productive, moneybird, freeAgent }] of SHARED_CUSTOMERS.entries()) {
    const at = (hour: number) => new Date(SHARED_FROM + (day * 24 + hour) * HOUR_MS);
    if (productive) await insertCompany(db, productive, at(0));
    if (moneybird) {
      const contact = await insertMoneybirdContact(db, moneybird.contact, at(1));
      for (const person of moneybird.people ?? []) await insertContactPerson(db, contact.id, person, at(2));
    }
    if (freeAgent) await insertFreeAgentContact(db, freeAgent, at(3), { isClient: true });
  }
}
