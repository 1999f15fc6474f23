import { builder } from "./builder.ts";
import { SCHEMA_DIRECTIVES } from "./mirror.ts";
import "./scalars.ts";
import "./errors.ts";
import "./node.ts";
import "./company.ts";
import "./contact-entry.ts";
import "./contact.ts";
import "./moneybird-contact.ts";
import "./contact-note.ts";
import "./additional-charge.ts";
import "./payments-mandate.ts";
import "./contact-person.ts";
import "./freeagent-contact.ts";
import "./providers.ts";
import "./search.ts";
import "./changes.ts";

export const schema = builder.toSchema({ sortSchema: true, directives: SCHEMA_DIRECTIVES });
