import { CUSTOMER_RECORD_KINDS, PROVIDER_NAMES, parseNodeId } from "../../domain/index.ts";
import { NotFoundError, ValidationError } from "../../errors.ts";
import type { CustomerSource } from "../../ports.ts";
import type { CustomerMatcher } from "./matcher.ts";

/** What the store answers of customers: every read, one query per call. */
export type CustomerReads = Omit<CustomerSource, "link" | "unlink" | "providers">;

/** The most records one `linkRecords` joins: a customer is a handful of records, not a bulk import. */
export const MAX_LINKED_RECORDS = 20;

/**
 * The customers port the schema uses: the store's reads, and the manual decisions, which are
 * checked here (the records exist and are matched) and applied by the matcher before answering.
 */
export function createCustomerSource(
  reads: CustomerReads,
  matcher: CustomerMatcher,
  providers: CustomerSource["providers"],
): CustomerSource {
  /** Every record is held, of a matched provider: a decision on anything else could never apply. */
  async function assertMatched(nodeIds: readonly string[], argument: string): Promise<void> {
    const records = await reads.records(nodeIds);
    nodeIds.forEach((nodeId, i) => {
      const { kind, id } = parseNodeId(nodeId);
      if (!CUSTOMER_RECORD_KINDS.includes(kind)) throw new NotFoundError(kind, id);
      const record = records[i];
      if (!record) throw new NotFoundError(kind, id);
      const provider =
        kind === "Company" ? "PRODUCTIVE" : kind === "MoneybirdContact" ? "MONEYBIRD" : "FREEAGENT";
      if (!providers.includes(provider)) {
        const message = `${PROVIDER_NAMES[provider]} is served live without the mirror, so its records are not matched into customers`;
        throw new ValidationError(
          [{ path: nodeIds.length > 1 ? [String(i)] : [], message }],
          message,
          argument,
        );
      }
    });
  }

  const customerOf = async (nodeId: string) => {
    const [link] = await reads.linksOf([nodeId]);
    const [customer] = link ? await reads.getByIds([link.customerId]) : [null];
    if (!customer) throw new Error(`${nodeId} has no customer after its decision was applied`);
    return customer;
  };

  return {
    ...reads,
    providers,
    async link(nodeIds, madeBy) {
      await assertMatched(nodeIds, "ids");
      await matcher.decide({ kind: "LINK", nodeIds: [...nodeIds], from: null, madeBy });
      return customerOf(nodeIds[0] as string);
    },
    async unlink(nodeId, madeBy) {
      await assertMatched([nodeId], "id");
      const [before] = await reads.linksOf([nodeId]);
      await matcher.decide({ kind: "UNLINK", nodeIds: [nodeId], from: null, madeBy });
      const customer = await customerOf(nodeId);
      const [previous = null] =
        before && before.customerId !== customer.id ? await reads.getByIds([before.customerId]) : [null];
      return { customer, previous };
    },
  };
}
