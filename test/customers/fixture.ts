import type { CustomerCandidate } from "../../src/contacts/customers/match.ts";

/**
 * Ground truth for customer matching: ~60 customers, most in two or three of the tools, written
 * the way people really fill the tools in (VAT with spaces, dots, lower case or no country;
 * B.V. in one tool and not in the other; a website URL for a domain), plus the traps matching
 * must not fall into. `truth` names the real customer of each record.
 */
export interface FixtureRecord {
  truth: string;
  candidate: CustomerCandidate;
}

const BASE_NAMES = [
  "Acme Software",
  "Brightside Studio",
  "Canal Coffee Roasters",
  "Dijkstra Bouw",
  "Elzenhof Zorg",
  "Fjord Analytics",
  "Groenewoud Advocaten",
  "Havenkwartier Events",
  "IJsselmeer Jachtservice",
  "Jollymore Print",
  "Kleurrijk Interieur",
  "Lindeboom Logistiek",
  "Meridian Consulting",
  "Nachtegaal Media",
  "Oranjewoud Architecten",
  "Pelikaan Vertalingen",
  "Quartermaster Tools",
  "Rietveld Techniek",
  "Scheepvaart Noord",
  "Tulpenveld Kwekerij",
  "Uilenburg Design",
  "Vlinder Kinderopvang",
  "Waterland Energie",
  "Xylos Robotics",
  "Yellowtail Digital",
  "Zilverberg Juweliers",
  "Amstel Fietsen",
  "Bosch en Duin Makelaars",
  "Citadel Security",
  "Delta Drones",
  "Eemhaven Transport",
  "Flevo Solar",
  "Gouda Kaashandel",
  "Hoogland Hoveniers",
  "Ivoor Tandartsen",
  "Jade Garden Catering",
  "Kempen Keukens",
  "Lotus Yoga Studio",
  "Maasvlakte Marine",
  "Noorderlicht Fotografie",
  "Olympus Sportschool",
  "Polder Pixels",
  "Quint Accountancy",
  "Rozengracht Galerie",
  "Stormvogel Zeilschool",
  "Thames Bridge Partners",
  "Union Street Bakery",
  "Victoria Dock Studios",
  "Wexford Trading",
  "Yorkshire Tea Rooms",
];

/** Deterministic digits: the same fixture on every run. */
function digits(seed: number, length: number): string {
  let state = (seed * 2654435761 + 12345) >>> 0;
  let out = "";
  while (out.length < length) {
    state = (state * 1103515245 + 12345) >>> 0;
    out += String((state >>> 16) % 10);
  }
  return out;
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

type Country = "NL" | "GB" | "BE" | "GR";

function countryOf(i: number): Country {
  if (i >= 45) return "GB";
  if (i % 11 === 5) return "GR";
  if (i % 7 === 3) return "BE";
  return "NL";
}

interface Base {
  truth: string;
  name: string;
  country: Country;
  vat: string;
  kvk: string;
  domain: string;
}

/** The VAT number as each tool's user typed it: the variation the normaliser must undo. */
function vatAs(base: Base, style: number): string | null {
  const { vat, country } = base;
  const prefix = vat.slice(0, 2);
  const rest = vat.slice(2);
  switch (style % 6) {
    case 0:
      return vat;
    case 1:
      // NL 8234.56.789.B01
      return `${prefix} ${rest.slice(0, 4)}.${rest.slice(4, 6)}.${rest.slice(6, 9)}.${rest.slice(9)}`;
    case 2:
      return vat.toLowerCase();
    case 3:
      // No country: the address's country supplies it.
      return rest;
    case 4:
      // GB written UK, Greece written GR (VIES says EL).
      if (country === "GB") return `UK ${rest.slice(0, 3)} ${rest.slice(3, 7)} ${rest.slice(7)}`;
      if (country === "GR") return `GR${rest}`;
      return `${prefix}-${rest}`;
    default:
      return null;
  }
}

function legalForm(country: Country, i: number): string {
  if (country === "GB") return i % 2 ? " Limited" : " Ltd";
  if (country === "BE") return " BVBA";
  if (country === "GR") return " S.A.";
  return i % 2 ? " B.V." : " BV";
}

const addressCountry: Record<Country, [string, string]> = {
  NL: ["NL", "Netherlands"],
  GB: ["GB", "United Kingdom"],
  BE: ["BE", "Belgium"],
  GR: ["GR", "Greece"],
};

function regularCustomers(): FixtureRecord[] {
  const records: FixtureRecord[] = [];
  BASE_NAMES.forEach((name, i) => {
    const country = countryOf(i);
    const tld = { NL: "nl", GB: "co.uk", BE: "be", GR: "gr" }[country];
    const number =
      country === "NL"
        ? `${digits(i, 9)}B0${1 + (i % 9)}`
        : country === "BE"
          ? `0${digits(i, 9)}`
          : digits(i, 9);
    const base: Base = {
      truth: `regular-${i}`,
      name,
      country,
      vat: `${country === "GR" ? "EL" : country}${number}`,
      // Every fourth KvK number starts with a zero, which must survive.
      kvk: i % 4 === 0 ? `0${digits(i + 100, 7)}` : `${1 + (i % 8)}${digits(i + 100, 7)}`,
      domain: `${slug(name)}.${tld}`,
    };
    // Which tools: Productive with Moneybird, with FreeAgent, with both, or only the two accounting tools.
    const shape = i % 10 === 9 ? "MF" : i % 3 === 0 ? "PMF" : i % 3 === 1 ? "PM" : "PF";
    const person = ["anna", "bram", "chris", "dewi", "eva", "finn"][i % 6];
    if (shape.includes("P")) {
      records.push({
        truth: base.truth,
        candidate: {
          nodeId: `Company:${1000 + i}`,
          provider: "PRODUCTIVE",
          kind: "Company",
          name: i % 5 === 0 ? name.toUpperCase() : name,
          // An agency often leaves VAT empty in Productive; the domain carries the match then.
          vat: i % 4 === 0 ? null : vatAs(base, i),
          chamberOfCommerce: null,
          domain: i % 2 ? `https://www.${base.domain}/` : base.domain,
          emails: i % 3 === 0 ? [] : [`${person}@${base.domain}`],
          country: addressCountry[country][0],
        },
      });
    }
    if (shape.includes("M")) {
      records.push({
        truth: base.truth,
        candidate: {
          nodeId: `MoneybirdContact:${2000 + i}`,
          provider: "MONEYBIRD",
          kind: "MoneybirdContact",
          name: `${name}${legalForm(country, i)}`,
          vat: vatAs(base, i + 1),
          chamberOfCommerce:
            country === "NL" ? (i % 2 ? base.kvk : `${base.kvk.slice(0, 4)} ${base.kvk.slice(4)}`) : null,
          domain: null,
          emails: [i % 2 ? `facturen@${base.domain}` : `Administratie@${base.domain.toUpperCase()}`],
          country: addressCountry[country][0],
        },
      });
    }
    if (shape.includes("F")) {
      records.push({
        truth: base.truth,
        candidate: {
          nodeId: `FreeAgentContact:${3000 + i}`,
          provider: "FREEAGENT",
          kind: "FreeAgentContact",
          name: i % 4 === 1 ? foldNameVariant(name) : `${name}${legalForm(country, i + 1)}`,
          vat: vatAs(base, i + 4),
          chamberOfCommerce: null,
          domain: null,
          emails: [`accounts@${base.domain}`, `${person}.${slug(name).slice(0, 4)}@${base.domain}`],
          country: addressCountry[country][1],
        },
      });
    }
  });
  return records;
}

/** The same name as a bookkeeper might type it: accents, an ampersand, odd spacing. */
function foldNameVariant(name: string): string {
  return `  ${name.replace(/ en /, " & ").replace(/e/, "é")}  `;
}

const record = (
  truth: string,
  nodeId: string,
  fields: Partial<CustomerCandidate> & Pick<CustomerCandidate, "name">,
): FixtureRecord => {
  const kind = nodeId.slice(0, nodeId.indexOf(":")) as CustomerCandidate["kind"];
  const provider =
    kind === "Company" ? "PRODUCTIVE" : kind === "MoneybirdContact" ? "MONEYBIRD" : "FREEAGENT";
  return {
    truth,
    candidate: {
      nodeId,
      provider,
      kind,
      vat: null,
      chamberOfCommerce: null,
      domain: null,
      emails: [],
      country: null,
      ...fields,
    },
  };
};

/** The traps, each a real-world case that a naive matcher gets wrong. */
function trapCustomers(): FixtureRecord[] {
  return [
    // Placeholder info@gmail.com on three unrelated small customers: must not link.
    record("bloemenhuis", "MoneybirdContact:4001", { name: "Bloemenhuis Anna", emails: ["info@gmail.com"] }),
    record("kapsalon", "FreeAgentContact:4002", { name: "Kapsalon Mooi", emails: ["info@gmail.com"] }),
    record("fietsenmaker", "MoneybirdContact:4003", {
      name: "Fietsenmaker Piet",
      emails: ["INFO@gmail.com "],
    }),
    // Same name, different companies (other city, other VAT, other domain).
    record("jansen-utrecht", "MoneybirdContact:4011", {
      name: "Jansen Installatietechniek B.V.",
      vat: "NL811122233B01",
      emails: ["info@jansen-installatie.nl"],
    }),
    record("jansen-zwolle", "FreeAgentContact:4012", {
      name: "Jansen Installatietechniek",
      vat: "NL 8444.55.666.B01",
      emails: ["kantoor@jansentechniek.nl"],
    }),
    // Conflicting evidence: one VAT number, a trading name in Productive and the legal name in Moneybird.
    record("noordkaap", "Company:4021", {
      name: "Noordkaap",
      vat: "NL 8555.12.301.B01",
      domain: "noordkaap.nl",
    }),
    record("noordkaap", "MoneybirdContact:4022", {
      name: "NK Beheer B.V.",
      vat: "nl855512301b01",
      emails: ["administratie@nkbeheer.nl"],
    }),
    // Sister companies: one name, two legal entities in two countries.
    record("vector-nl", "MoneybirdContact:4031", {
      name: "Vector Logistics B.V.",
      vat: "NL812345670B01",
      emails: ["finance@vector-logistics.nl"],
    }),
    record("vector-be", "Company:4032", {
      name: "Vector Logistics BV",
      vat: "BE0412345678",
      domain: "vector-logistics.be",
    }),
    // A sole trader with a personal gmail in both accounting tools: the address and the name together link.
    record("jan-de-vries", "MoneybirdContact:4041", {
      name: "Jan de Vries",
      emails: ["jan.devries@gmail.com"],
    }),
    record("jan-de-vries", "FreeAgentContact:4042", {
      name: "Jan  de Vries",
      emails: ["Jan.deVries@gmail.com"],
    }),
    // The same person under an initial and a public address: too little to link (a known miss).
    record("sanne-bakker", "MoneybirdContact:4051", {
      name: "Sanne Bakker",
      emails: ["sanne.bakker@hotmail.nl"],
    }),
    record("sanne-bakker", "FreeAgentContact:4052", {
      name: "S. Bakker",
      emails: ["sanne.bakker@hotmail.nl"],
    }),
    // Only a fuzzy name in common: names never link alone (a known miss).
    record("hoekje", "MoneybirdContact:4061", { name: "Bakkerij 't Hoekje" }),
    record("hoekje", "FreeAgentContact:4062", { name: "Bakkerij Het Hoekje" }),
    // A bookkeeper's address on two different clients.
    record("horizon", "MoneybirdContact:4071", {
      name: "Horizon Media B.V.",
      emails: ["facturen@boekhouder-vanleeuwen.nl"],
    }),
    record("delta-dak", "FreeAgentContact:4072", {
      name: "Delta Dakwerken",
      emails: ["facturen@boekhouder-vanleeuwen.nl"],
    }),
    // A duplicate inside Moneybird (one KvK number, leading zero typed two ways) and the company in Productive.
    record("dubbel", "MoneybirdContact:4081", {
      name: "Dubbelzes Reclame",
      chamberOfCommerce: "KvK 0612 3456",
      emails: ["info@dubbelzes.nl"],
    }),
    record("dubbel", "MoneybirdContact:4082", {
      name: "Dubbelzes Reclamebureau B.V.",
      chamberOfCommerce: "06123456",
      emails: ["jeroen@dubbelzes.nl"],
    }),
    record("dubbel", "Company:4083", { name: "Dubbelzes", domain: "www.dubbelzes.nl" }),
    // Two Moneybird contacts with one name and nothing else in common: never merged on the name.
    record("studio-noord-groningen", "MoneybirdContact:4091", {
      name: "Studio Noord",
      emails: ["hallo@studionoord.nl"],
    }),
    record("studio-noord-leeuwarden", "MoneybirdContact:4092", {
      name: "Studio Noord",
      emails: ["info@studio-noord-friesland.nl"],
    }),
    // British: GB in Productive, UK in FreeAgent, the domain with a path.
    record("harrow", "Company:4101", {
      name: "Harrow & Sons",
      vat: "GB 987 6543 21",
      domain: "harrowandsons.co.uk/about",
    }),
    record("harrow", "FreeAgentContact:4102", {
      name: "Harrow and Sons Limited",
      vat: "UK987654321",
      emails: ["ledger@harrowandsons.co.uk"],
    }),
    // Greek: EL at VIES, GR as people type it, and no prefix with the address in Greece.
    record("olympia", "MoneybirdContact:4111", { name: "Olympia Olive Oil S.A.", vat: "EL094259216" }),
    record("olympia", "FreeAgentContact:4112", { name: "Olympia Olive Oil", vat: "GR 094 259 216" }),
    record("olympia", "Company:4113", { name: "Olympia", vat: "094259216", country: "Greece" }),
  ];
}

export function fixture(): FixtureRecord[] {
  return [...regularCustomers(), ...trapCustomers()];
}
