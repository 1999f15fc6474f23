import type { AdditionalCharge } from "../domain/index.ts";
import { builder } from "./builder.ts";
import { WRITE_ERRORS } from "./errors.ts";
import { WRITTEN_RECORD_DESCRIPTION, writeAt } from "./mutation-result.ts";

export const AdditionalChargeType = builder.objectRef<AdditionalCharge>("AdditionalCharge").implement({
  description: "A charge Moneybird invoices at the start of the next period.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "Moneybird's id." }),
    productId: t.exposeID("productId"),
    subscriptionId: t.exposeID("subscriptionId", { nullable: true }),
    amount: t.exposeString("amount", {
      nullable: true,
      description: 'Quantity as Moneybird writes it, e.g. "5 x".',
    }),
    price: t.exposeString("price", { description: "Decimal string." }),
    period: t.exposeString("period", { description: 'e.g. "20210601..20210630".' }),
    description: t.exposeString("description", {
      nullable: true,
      description:
        "What the charge is for, as written (Moneybird's answers carry it); null when none was given.",
    }),
    raw: t.field({ type: "JSON", resolve: (charge) => charge.raw }),
  }),
});

const CreateAdditionalChargeInput = builder.inputType("CreateAdditionalChargeInput", {
  fields: (t) => ({
    contactId: t.id({ required: true }),
    productId: t.id({ required: true }),
    price: t.string({ required: true, description: "Decimal string." }),
    amount: t.string({ description: 'Quantity as Moneybird writes it, e.g. "5 x".' }),
    period: t.string({ description: 'e.g. "20210601..20210630"; default the current month.' }),
    description: t.string(),
  }),
});

const CreateAdditionalChargeSuccess = builder
  .objectRef<{ additionalCharge: AdditionalCharge }>("CreateAdditionalChargeSuccess")
  .implement({
    fields: (t) => ({
      additionalCharge: t.field({
        type: AdditionalChargeType,
        nullable: true,
        description: WRITTEN_RECORD_DESCRIPTION,
        resolve: (r) => r.additionalCharge,
      }),
    }),
  });

builder.mutationFields((t) => ({
  createAdditionalCharge: t.field({
    type: CreateAdditionalChargeSuccess,
    args: { input: t.arg({ type: CreateAdditionalChargeInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { input: { contactId, productId, ...charge } }, ctx) =>
      writeAt(contactId, ["input", "contactId"], "MoneybirdContact", async ({ id }) => ({
        additionalCharge: await ctx.sources.moneybirdContacts.createAdditionalCharge(id, {
          ...charge,
          productId: String(productId),
        }),
      })),
  }),
}));
