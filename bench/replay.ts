import { createServer } from "node:http";
import { request } from "undici";

/**
 * The plain-fetch replay of a one-call page: each request to this server makes the gateway's
 * upstream call (the same URL and credential, with undici), parses the JSON, maps each contact
 * to the fields the GraphQL operation selects, and answers the JSON. The gateway's CPU per
 * request minus this one's is what the gateway itself adds to the same records.
 */

const url = process.env.REPLAY_URL ?? "";
const headers = { authorization: `Bearer ${process.env.REPLAY_TOKEN}`, accept: "application/json" };

interface Person {
  id: string;
  firstname: string | null;
  lastname: string | null;
  email: string | null;
}
interface Contact {
  id: string;
  company_name: string | null;
  firstname: string | null;
  lastname: string | null;
  email: string | null;
  customer_id: string;
  contact_people: Person[];
}

const node = (contact: Contact) => ({
  __typename: "MoneybirdContact",
  id: `MoneybirdContact:${contact.id}`,
  displayName: contact.company_name || [contact.firstname, contact.lastname].filter(Boolean).join(" "),
  email: contact.email,
  customerId: contact.customer_id,
  contactPersons: {
    edges: contact.contact_people.slice(0, 10).map((person) => ({
      node: {
        id: `ContactPerson:${contact.id}/${person.id}`,
        firstName: person.firstname,
        lastName: person.lastname,
        email: person.email,
      },
    })),
  },
});

createServer(async (req, res) => {
  if (req.url === "/health") {
    res.end("ok");
    return;
  }
  for await (const _ of req);
  const upstream = await request(url, { headers });
  const contacts = JSON.parse(await upstream.body.text()) as Contact[];
  const text = JSON.stringify({
    data: { contacts: { edges: contacts.map((contact) => ({ node: node(contact) })) } },
  });
  res.writeHead(200, { "content-type": "application/json" }).end(text);
}).listen(Number(process.env.PORT), "127.0.0.1");
