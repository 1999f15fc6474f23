import type { PaymentsMandate } from "../domain/index.ts";
import { builder } from "./builder.ts";
import { WRITE_ERRORS } from "./errors.ts";
import { writeAt } from "./mutation-result.ts";
import { forget, MoneybirdContactNode } from "./refs.ts";

export const PaymentsMandateType = builder.objectRef<PaymentsMandate>("PaymentsMandate").implement({
  description: "A stored Moneybird Payments mandate (direct debit or card).",
  fields: (t) => ({
    type: t.exposeString("type", { nullable: true }),
    sepaMandate: t.exposeBoolean("sepaMandate"),
    bank: t.exposeString("bank", { nullable: true }),
    iban: t.exposeString("iban", { nullable: true }),
    bic: t.exposeString("bic", { nullable: true }),
    ibanAccountName: t.exposeString("ibanAccountName", { nullable: true }),
    cardExpiryMonth: t.exposeString("cardExpiryMonth", { nullable: true }),
    cardExpiryYear: t.exposeString("cardExpiryYear", { nullable: true }),
    cardFinalDigits: t.exposeString("cardFinalDigits", { nullable: true }),
    createdAt: t.field({ type: "DateTime", resolve: (mandate) => mandate.createdAt }),
    raw: t.field({ type: "JSON", resolve: (mandate) => mandate.raw }),
  }),
});

const WORKFLOW_DESCRIPTION = "Restricts the payment methods offered to those of this Moneybird workflow.";
/** GraphQL IDs may arrive as numbers; the domain keeps ids as strings. */
const optionalId = (id: string | number | null | undefined) =>
  id === undefined || id === null ? id : String(id);

const RequestPaymentsMandateInput = builder.inputType("RequestPaymentsMandateInput", {
  fields: (t) => ({
    contactId: t.id({ required: true }),
    emailMessage: t.string({ description: "A message in the e-mail Moneybird sends the contact." }),
    identityId: t.id({ description: "The Moneybird identity that sends it." }),
    workflowId: t.id({ description: WORKFLOW_DESCRIPTION }),
  }),
});
const CreatePaymentsMandateUrlInput = builder.inputType("CreatePaymentsMandateUrlInput", {
  fields: (t) => ({
    contactId: t.id({ required: true }),
    identityId: t.id(),
    workflowId: t.id({ description: WORKFLOW_DESCRIPTION }),
  }),
});

/**
 * The success of a write Moneybird answers without the contact (a mandate request or deletion):
 * the contact is read, through the loader, only when selected; if that read fails it is null with
 * the error in `errors`, while the write itself is reported as the success it was.
 */
const contactWriteSuccess = (name: string, fields: { url?: true } = {}) =>
  builder.objectRef<{ contactId: string; url?: string }>(name).implement({
    fields: (t) => ({
      ...(fields.url
        ? {
            url: t.string({
              description: "Give it to the contact; Moneybird keeps it valid for 14 days.",
              resolve: (result) => result.url as string,
            }),
          }
        : {}),
      contact: t.field({
        type: MoneybirdContactNode,
        nullable: true,
        description:
          "The contact, read after the write; null (with the error in `errors`) if that read fails.",
        resolve: (result) => result.contactId,
      }),
    }),
  });
const RequestPaymentsMandateSuccess = contactWriteSuccess("RequestPaymentsMandateSuccess");
const CreatePaymentsMandateUrlSuccess = contactWriteSuccess("CreatePaymentsMandateUrlSuccess", { url: true });
const DeletePaymentsMandateSuccess = contactWriteSuccess("DeletePaymentsMandateSuccess");

builder.mutationFields((t) => ({
  requestPaymentsMandate: t.field({
    type: RequestPaymentsMandateSuccess,
    description: "Moneybird e-mails the contact a link to authorise direct debit.",
    args: { input: t.arg({ type: RequestPaymentsMandateInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { input: { contactId, emailMessage, identityId, workflowId } }, ctx) =>
      writeAt(contactId, ["input", "contactId"], "MoneybirdContact", async ({ id }) => {
        await ctx.sources.moneybirdContacts.requestPaymentsMandate(id, {
          emailMessage,
          identityId: optionalId(identityId),
          workflowId: optionalId(workflowId),
        });
        forget(MoneybirdContactNode, ctx, id);
        return { contactId: id };
      }),
  }),
  createPaymentsMandateUrl: t.field({
    type: CreatePaymentsMandateUrlSuccess,
    args: { input: t.arg({ type: CreatePaymentsMandateUrlInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { input: { contactId, identityId, workflowId } }, ctx) =>
      writeAt(contactId, ["input", "contactId"], "MoneybirdContact", async ({ id }) => {
        const url = await ctx.sources.moneybirdContacts.createPaymentsMandateUrl(
          id,
          optionalId(identityId) ?? null,
          optionalId(workflowId),
        );
        return { url, contactId: id };
      }),
  }),
  deletePaymentsMandate: t.field({
    type: DeletePaymentsMandateSuccess,
    args: { contactId: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { contactId }, ctx) =>
      writeAt(contactId, ["contactId"], "MoneybirdContact", async ({ id }) => {
        await ctx.sources.moneybirdContacts.deletePaymentsMandate(id);
        forget(MoneybirdContactNode, ctx, id);
        return { contactId: id };
      }),
  }),
}));
