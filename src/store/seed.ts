import type { Db } from "./database.ts";
import { insertFreeAgentContact, updateFreeAgentContact } from "./freeagent.ts";
import {
  archiveMoneybirdContact,
  CUSTOM_FIELDS,
  insertAdditionalCharge,
  insertContactPerson,
  insertMoneybirdContact,
  insertNote,
  storePaymentsMandate,
} from "./moneybird.ts";
import { insertCompany, setCompanyArchived } from "./productive.ts";
import { SHARED_SEED_SIZE, seedSharedCustomers } from "./seed-customers.ts";

/**
 * The demo data of a new store: deterministic (a seeded PRNG and fixed dates, so every store
 * seeds the same records) and written through the same insert code as the ports' writes, so
 * seeded records have exactly the shape real writes produce.
 */

/** Each provider's random records of one copy: exactly what the PRNG draws, so the records stay the same. */
const RANDOM_SIZE = { productiveCompanies: 220, moneybirdContacts: 220, freeAgentContacts: 220 };

/** The records of a 1× store: the random ones and the customers shared between tools (seed-customers.ts). */
export const SEED_SIZE = {
  productiveCompanies: RANDOM_SIZE.productiveCompanies + SHARED_SEED_SIZE.productiveCompanies,
  moneybirdContacts: RANDOM_SIZE.moneybirdContacts + SHARED_SEED_SIZE.moneybirdContacts,
  freeAgentContacts: RANDOM_SIZE.freeAgentContacts + SHARED_SEED_SIZE.freeAgentContacts,
};

/** mulberry32: small, fast and good enough for demo data. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    int,
    chance: (probability: number) => next() < probability,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T,
    digits: (count: number) => Array.from({ length: count }, () => int(0, 9)).join(""),
    letters: (count: number) =>
      Array.from({ length: count }, () => String.fromCharCode(int(65, 90))).join(""),
    /** Distinct items, in a random order. */
    sample: <T>(items: readonly T[], count: number): T[] =>
      items
        .map((item) => ({ item, key: next() }))
        .sort((a, b) => a.key - b.key)
        .slice(0, count)
        .map(({ item }) => item),
    /** `count` instants between `from` and `to`, oldest first. */
    dates: (count: number, from: string, to: string): Date[] => {
      const start = Date.parse(from);
      const span = Date.parse(to) - start;
      return Array.from({ length: count }, () => start + Math.floor(next() * span))
        .sort((a, b) => a - b)
        .map((ms) => new Date(ms));
    },
  };
}
type Random = ReturnType<typeof createRandom>;

const DAY_MS = 86_400_000;
const later = (at: Date, random: Random, maxDays: number) =>
  new Date(at.getTime() + random.int(1, maxDays) * DAY_MS);
const slug = (name: string) =>
  name
    .normalize("NFD")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");

const PRODUCTIVE_NAME_PARTS = {
  first: [
    "Adriatic",
    "Amber",
    "Blue",
    "Bright",
    "Cedar",
    "Copper",
    "Delta",
    "Granite",
    "Harbor",
    "Iron",
    "Juniper",
    "Lumen",
    "Maple",
    "Nimbus",
    "North",
    "Orbit",
    "Pixel",
    "Quartz",
    "Silver",
    "Summit",
  ],
  second: [
    "Analytics",
    "Brands",
    "Consulting",
    "Creative",
    "Digital",
    "Dynamics",
    "Foods",
    "Labs",
    "Logistics",
    "Media",
    "Partners",
    "Robotics",
    "Studio",
    "Systems",
  ],
};

const PRODUCTIVE_COUNTRIES = [
  {
    country: "Croatia",
    tld: "hr",
    currency: "EUR",
    legal: "d.o.o.",
    vat: (r: Random) => `HR${r.digits(11)}`,
    cities: ["Zagreb", "Split", "Rijeka", "Osijek", "Zadar"],
    streets: ["Ilica", "Vukovarska ulica", "Savska cesta", "Radnička cesta"],
    zipcode: (r: Random) => `${r.int(10, 52)}000`,
    phone: (r: Random) => `+385 1 ${r.digits(3)} ${r.digits(4)}`,
  },
  {
    country: "Germany",
    tld: "de",
    currency: "EUR",
    legal: "GmbH",
    vat: (r: Random) => `DE${r.digits(9)}`,
    cities: ["Berlin", "Hamburg", "München", "Köln", "Leipzig"],
    streets: ["Hauptstraße", "Schillerstraße", "Gartenweg", "Bahnhofstraße"],
    zipcode: (r: Random) => r.digits(5),
    phone: (r: Random) => `+49 30 ${r.digits(8)}`,
  },
  {
    country: "Netherlands",
    tld: "nl",
    currency: "EUR",
    legal: "B.V.",
    vat: (r: Random) => `NL${r.digits(9)}B01`,
    cities: ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"],
    streets: ["Keizersgracht", "Stationsplein", "Weena", "Catharijnesingel"],
    zipcode: (r: Random) => `${r.int(1000, 9999)} ${r.letters(2)}`,
    phone: (r: Random) => `+31 20 ${r.digits(3)} ${r.digits(4)}`,
  },
  {
    country: "United Kingdom",
    tld: "co.uk",
    currency: "GBP",
    legal: "Ltd",
    vat: (r: Random) => `GB${r.digits(9)}`,
    cities: ["London", "Manchester", "Bristol", "Leeds"],
    streets: ["High Street", "Station Road", "Church Lane", "Victoria Road"],
    zipcode: (r: Random) => `${r.letters(2)}${r.int(1, 20)} ${r.int(1, 9)}${r.letters(2)}`,
    phone: (r: Random) => `+44 20 ${r.digits(4)} ${r.digits(4)}`,
  },
  {
    country: "United States",
    tld: "com",
    currency: "USD",
    legal: "Inc.",
    vat: (r: Random) => `US${r.digits(9)}`,
    cities: ["New York", "Austin", "Chicago", "Seattle"],
    streets: ["Main Street", "Market Street", "5th Avenue", "Congress Avenue"],
    zipcode: (r: Random) => r.digits(5),
    phone: (r: Random) => `+1 512 ${r.digits(3)} ${r.digits(4)}`,
  },
] as const;

const PRODUCTIVE_TAGS = [
  "client",
  "partner",
  "priority",
  "retainer",
  "prospect",
  "enterprise",
  "agency",
  "nonprofit",
];

/** `suffix` tells the copies of a scaled seed apart: company names and domains stay distinct. */
async function seedProductive(db: Db, random: Random, suffix: string): Promise<void> {
  const names = random
    .sample(
      PRODUCTIVE_NAME_PARTS.first.flatMap((first) =>
        PRODUCTIVE_NAME_PARTS.second.map((second) => `${first} ${second}`),
      ),
      RANDOM_SIZE.productiveCompanies,
    )
    .map((name) => name + suffix);
  const createdAt = random.dates(names.length, "2021-01-04T08:00:00Z", "2025-06-30T17:00:00Z");
  for (const [index, name] of names.entries()) {
    const at = createdAt[index] as Date;
    const place = random.pick(PRODUCTIVE_COUNTRIES);
    const domain = `${slug(name)}.${place.tld}`;
    const company = await insertCompany(
      db,
      {
        name,
        billingName: random.chance(0.8) ? `${name} ${place.legal}` : null,
        vat: random.chance(0.85) ? place.vat(random) : null,
        defaultCurrency: place.currency,
        domain,
        description: random.chance(0.4)
          ? `${name}: ${random.pick(["design", "software", "marketing", "consulting"])} client`
          : null,
        dueDays: random.pick([14, 15, 30, 30, 45, 60, null]),
        tags: random.sample(PRODUCTIVE_TAGS, random.int(0, 3)),
        contact: {
          emails: [
            { name: "General", email: `info@${domain}` },
            ...(random.chance(0.4) ? [{ name: "Billing", email: `billing@${domain}` }] : []),
          ],
          phones: [{ name: "Office", phone: place.phone(random) }],
          websites: [{ name: "Website", website: `https://www.${domain}` }],
          addresses: random.chance(0.6)
            ? [
                {
                  name: "Headquarters",
                  billingAddress: `${random.pick(place.streets)} ${random.int(1, 180)}`,
                  city: random.pick(place.cities),
                  zipcode: place.zipcode(random),
                  country: place.country,
                },
              ]
            : [],
        },
      },
      at,
    );
    if (random.chance(0.1)) await setCompanyArchived(db, company.id, true, later(at, random, 400));
  }
}

const DUTCH_FIRST_NAMES = [
  "Jan",
  "Sanne",
  "Pieter",
  "Lotte",
  "Daan",
  "Emma",
  "Bram",
  "Fleur",
  "Thijs",
  "Anouk",
  "Ruben",
  "Iris",
];
const DUTCH_LAST_NAMES = [
  "de Vries",
  "Jansen",
  "van Dijk",
  "Bakker",
  "Visser",
  "Smit",
  "Meijer",
  "de Boer",
  "Mulder",
  "de Groot",
  "Bos",
  "Vos",
  "Peters",
  "Hendriks",
];
const DUTCH_TRADES = [
  "Bakkerij",
  "Installatiebedrijf",
  "Schildersbedrijf",
  "Adviesbureau",
  "Drukkerij",
  "Hoveniersbedrijf",
  "Garage",
  "Architectenbureau",
];
const DUTCH_PLACES = [
  { city: "Amsterdam", zip: 1011 },
  { city: "Rotterdam", zip: 3011 },
  { city: "Utrecht", zip: 3511 },
  { city: "Den Haag", zip: 2511 },
  { city: "Eindhoven", zip: 5611 },
  { city: "Groningen", zip: 9711 },
  { city: "Haarlem", zip: 2011 },
  { city: "Zwolle", zip: 8011 },
];
const DUTCH_STREETS = [
  "Kerkstraat",
  "Dorpsstraat",
  "Stationsweg",
  "Molenweg",
  "Schoolstraat",
  "Markt",
  "Julianalaan",
  "Beukenlaan",
];
const MAIL_PROVIDERS = ["ziggo.nl", "kpnmail.nl", "xs4all.nl", "outlook.com"];

/** Ids in the administration that the store does not model beyond their id. */
const BOOKKEEPER_USER_ID = "4960814000000002";
const PRODUCT_IDS = ["4960814000000201", "4960814000000202"];

async function seedMoneybird(db: Db, random: Random): Promise<void> {
  const createdAt = random.dates(
    RANDOM_SIZE.moneybirdContacts,
    "2022-02-01T09:00:00Z",
    "2025-09-30T16:00:00Z",
  );
  for (const at of createdAt) {
    const firstName = random.pick(DUTCH_FIRST_NAMES);
    const lastName = random.pick(DUTCH_LAST_NAMES);
    const isCompany = random.chance(0.6);
    const companyName = isCompany
      ? `${random.pick(DUTCH_TRADES)} ${lastName.replace(/^(de|van) /, "")}${random.chance(0.5) ? " B.V." : ""}`
      : null;
    const place = random.pick(DUTCH_PLACES);
    const mailbox = isCompany
      ? `administratie@${slug(companyName ?? "")}.nl`
      : `${slug(firstName)}.${slug(lastName)}@${random.pick(MAIL_PROVIDERS)}`;
    const contact = await insertMoneybirdContact(
      db,
      {
        companyName,
        firstName: isCompany && random.chance(0.5) ? null : firstName,
        lastName: isCompany && random.chance(0.5) ? null : lastName,
        phone: random.chance(0.5) ? `06-${random.digits(8)}` : `0${random.int(10, 79)}-${random.digits(7)}`,
        address: {
          line1: `${random.pick(DUTCH_STREETS)} ${random.int(1, 240)}`,
          line2: random.chance(0.1) ? `${random.int(1, 4)}e verdieping` : null,
          postcode: `${place.zip + random.int(0, 80)} ${random.letters(2)}`,
          city: place.city,
          country: "NL",
        },
        taxNumber: isCompany ? `NL${random.digits(9)}B01` : null,
        chamberOfCommerce: isCompany ? random.digits(8) : null,
        bankAccount: `NL${random.digits(2)}${random.pick(["ABNA", "INGB", "RABO", "TRIO"])}0${random.digits(9)}`,
        attention: isCompany && random.chance(0.3) ? "t.a.v. de administratie" : null,
        deliveryMethod: random.pick(["Email", "Email", "Email", "Post", "Peppol"]),
        sendInvoicesToEmail: mailbox,
        sendEstimatesToEmail: random.chance(0.3) ? mailbox : null,
        customFields: [
          ...(random.chance(0.5)
            ? [
                {
                  id: CUSTOM_FIELDS[0].id,
                  value: `${random.pick(DUTCH_FIRST_NAMES)} ${random.pick(DUTCH_LAST_NAMES)}`,
                },
              ]
            : []),
          ...(random.chance(0.6)
            ? [
                {
                  id: CUSTOM_FIELDS[1].id,
                  value: random.pick(["SMB", "Enterprise", "Public sector", "Non-profit"]),
                },
              ]
            : []),
          ...(random.chance(0.2) ? [{ id: CUSTOM_FIELDS[2].id, value: `C-${random.digits(5)}` }] : []),
        ],
      },
      at,
    );

    let changedAt = at;
    const next = () => {
      changedAt = later(changedAt, random, 30);
      return changedAt;
    };
    for (let i = isCompany ? random.int(0, 3) : 0; i > 0; i--) {
      const personFirst = random.pick(DUTCH_FIRST_NAMES);
      const personLast = random.pick(DUTCH_LAST_NAMES);
      await insertContactPerson(
        db,
        contact.id,
        {
          firstName: personFirst,
          lastName: personLast,
          email: `${slug(personFirst)}@${slug(companyName ?? "")}.nl`,
          phone: random.chance(0.6) ? `06-${random.digits(8)}` : null,
          department: random.pick(["Administratie", "Inkoop", "Directie", null]),
        },
        next(),
      );
    }
    for (let i = random.int(0, 2); i > 0; i--) {
      const todo = random.chance(0.3);
      await insertNote(
        db,
        contact.id,
        {
          note: todo
            ? random.pick([
                "Bel terug over de offerte",
                "Herinnering sturen voor openstaande factuur",
                "Nieuwe tarieven doorgeven",
              ])
            : random.pick([
                "Betaalt altijd op tijd",
                "Voorkeur voor contact per e-mail",
                "Jaarcontract verlengd",
              ]),
          todo,
          assigneeId: todo && random.chance(0.5) ? BOOKKEEPER_USER_ID : null,
        },
        next(),
      );
    }
    if (random.chance(0.15)) {
      for (let i = random.int(1, 3); i > 0; i--) {
        const chargedAt = next();
        const month = chargedAt.toISOString().slice(0, 7).replace("-", "");
        await insertAdditionalCharge(
          db,
          contact.id,
          {
            productId: random.pick(PRODUCT_IDS),
            amount: `${random.int(1, 10)} x`,
            price: String(random.pick([12.5, 25, 49, 100])),
            period: `${month}01..${month}28`,
            description: random.pick(["Transactiekosten", "Extra gebruikers", "Opslag"]),
          },
          chargedAt,
          random.chance(0.5),
        );
      }
    }
    if (random.chance(0.05)) {
      await storePaymentsMandate(
        db,
        contact.id,
        {
          type: "ideal",
          sepa_mandate: true,
          bank: random.pick(["ING", "Rabobank", "ABN AMRO"]),
          iban: contact.bankAccount,
          bic: random.pick(["INGBNL2A", "RABONL2U", "ABNANL2A"]),
          iban_account_name: companyName ?? `${firstName} ${lastName}`,
          card_expiry_month: null,
          card_expiry_year: null,
          card_final_digits: null,
          created_at: next().toISOString(),
        },
        changedAt,
      );
    }
    if (random.chance(0.08)) await archiveMoneybirdContact(db, contact.id, next());
  }
}

const UK_FIRST_NAMES = [
  "Oliver",
  "Amelia",
  "George",
  "Isla",
  "Harry",
  "Ava",
  "Jack",
  "Mia",
  "Charlie",
  "Grace",
  "Thomas",
  "Freya",
];
const UK_LAST_NAMES = [
  "Smith",
  "Jones",
  "Taylor",
  "Brown",
  "Williams",
  "Wilson",
  "Evans",
  "Thomas",
  "Roberts",
  "Walker",
  "Wright",
  "Hughes",
];
const UK_BUSINESS_WORDS = [
  "Thames",
  "Pennine",
  "Crown",
  "Oak",
  "Highland",
  "Harbour",
  "Kestrel",
  "Meridian",
  "Granite",
  "Willow",
];
const UK_TRADES = [
  "Joinery",
  "Catering",
  "Print",
  "Consulting",
  "Engineering",
  "Design",
  "Plumbing",
  "Software",
];
const UK_PLACES = [
  { town: "London", region: "Greater London", postcode: ["SE1", "EC2A", "N1", "W1T"] },
  { town: "Manchester", region: "Greater Manchester", postcode: ["M1", "M4", "M15"] },
  { town: "Leeds", region: "West Yorkshire", postcode: ["LS1", "LS6"] },
  { town: "Bristol", region: "Bristol", postcode: ["BS1", "BS8"] },
  { town: "Edinburgh", region: "City of Edinburgh", postcode: ["EH1", "EH3"] },
  { town: "Cardiff", region: "Cardiff", postcode: ["CF10", "CF24"] },
];
const UK_STREETS = [
  "George Street",
  "High Street",
  "Queen Street",
  "Mill Lane",
  "Park Road",
  "Victoria Street",
];

async function seedFreeAgent(db: Db, random: Random): Promise<void> {
  const createdAt = random.dates(
    RANDOM_SIZE.freeAgentContacts,
    "2019-04-06T09:00:00Z",
    "2025-10-31T17:00:00Z",
  );
  for (const at of createdAt) {
    const isOrganisation = random.chance(0.65);
    const firstName = random.pick(UK_FIRST_NAMES);
    const lastName = random.pick(UK_LAST_NAMES);
    const organisation = isOrganisation
      ? `${random.pick(UK_BUSINESS_WORDS)} ${random.pick(UK_TRADES)} ${random.pick(["Ltd", "Ltd", "LLP", "plc"])}`
      : null;
    const place = random.pick(UK_PLACES);
    const mailDomain = organisation
      ? `${slug(organisation)}.co.uk`
      : random.pick(["gmail.com", "outlook.com", "btinternet.com"]);
    const isClient = random.chance(0.55);
    const isSupplier = random.chance(isClient ? 0.1 : 0.5);
    const contact = await insertFreeAgentContact(
      db,
      {
        companyName: organisation,
        firstName: !isOrganisation || random.chance(0.6) ? firstName : null,
        lastName: !isOrganisation || random.chance(0.6) ? lastName : null,
        email: `${slug(firstName)}@${mailDomain}`,
        billingEmail: organisation && random.chance(0.5) ? `accounts@${mailDomain}` : null,
        phone: `020 7946 0${random.digits(3)}`,
        mobile: random.chance(0.5) ? `07700 900${random.digits(3)}` : null,
        address: {
          line1: `${random.int(1, 120)} ${random.pick(UK_STREETS)}`,
          line2: random.chance(0.2) ? `Unit ${random.int(1, 30)}` : null,
          city: place.town,
          region: place.region,
          postcode: `${random.pick(place.postcode)} ${random.int(1, 9)}${random.letters(2)}`,
          country: "United Kingdom",
        },
        taxNumber: organisation && random.chance(0.6) ? `GB${random.digits(9)}` : null,
        chargeSalesTax: random.pick(["Auto", "Auto", "Always", "Never"]),
        locale: "en",
        defaultPaymentTermsInDays: random.pick([14, 30, 30, 60]),
        usesContactInvoiceSequence: random.chance(0.2),
        contactNameOnInvoices: organisation !== null && random.chance(0.5),
        status: random.chance(0.1) ? "Hidden" : "Active",
      },
      at,
      {
        isClient,
        isSupplier,
        hasCompletedProjects: isClient && random.chance(0.3),
        hasOpenInvoices: isClient && random.chance(0.3),
        hasOpenBills: isSupplier && random.chance(0.4),
      },
      {
        active_projects_count: isClient && random.chance(0.35) ? random.int(1, 4) : 0,
        account_balance: isClient ? `${random.int(-2000, 5000)}.${random.pick(["0", "5", "25"])}` : "0.0",
        direct_debit_mandate_state: isClient && random.chance(0.1) ? "active" : null,
      },
    );
    if (random.chance(0.3)) {
      await updateFreeAgentContact(
        db,
        contact.id,
        { phone: `020 7946 1${random.digits(3)}` },
        later(at, random, 200),
      );
    }
  }
}

/**
 * `scale` seeds that many times the random demo data (npm run bench --scale); the first copy is
 * the 1× store exactly, the others are further records drawn from the same generator. The shared
 * customers come once, after all of it: copies of them would be duplicates of one customer.
 */
export async function seedDemoData(db: Db, { scale = 1 }: { scale?: number } = {}): Promise<void> {
  const random = createRandom(20_250_724);
  const copies = Array.from({ length: scale }, (_, copy) => (copy === 0 ? "" : ` ${copy + 1}`));
  for (const suffix of copies) await seedProductive(db, random, suffix);
  for (const _ of copies) await seedMoneybird(db, random);
  for (const _ of copies) await seedFreeAgent(db, random);
  await seedSharedCustomers(db);
}
