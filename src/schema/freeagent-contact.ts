import { ContactInterface, FreeAgentContactNode } from "./refs.ts";

FreeAgentContactNode.implement({
  description: "A FreeAgent contact.",
  interfaces: [ContactInterface],
  isTypeOf: (value) => (value as { kind?: string }).kind === "FreeAgentContact",
  fields: (t) => ({
    mobile: t.exposeString("mobile", { nullable: true }),
    billingEmail: t.exposeString("billingEmail", { nullable: true }),
    chargeSalesTax: t.exposeString("chargeSalesTax", { nullable: true }),
    locale: t.exposeString("locale", { nullable: true }),
    accountBalance: t.exposeString("accountBalance", { nullable: true, description: "Decimal string." }),
    defaultPaymentTermsInDays: t.exposeInt("defaultPaymentTermsInDays", { nullable: true }),
    activeProjectsCount: t.exposeInt("activeProjectsCount", { nullable: true }),
    directDebitMandateState: t.exposeString("directDebitMandateState", { nullable: true }),
    status: t.exposeString("status", { nullable: true, description: "Active or Hidden." }),
    usesContactInvoiceSequence: t.exposeBoolean("usesContactInvoiceSequence", { nullable: true }),
    contactNameOnInvoices: t.exposeBoolean("contactNameOnInvoices", { nullable: true }),
  }),
});
