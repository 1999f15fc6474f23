import type { ProductiveConfig } from "../../config.ts";
import type { UpstreamSettings } from "../../http/upstream-client.ts";
import type { CompanySource, ContactEntrySource, ProviderBackend } from "../../ports.ts";
import { createProductiveClient, fetchWindow } from "./client.ts";
import { createProductiveCompanies } from "./companies.ts";
import { createProductiveContactEntries } from "./contact-entries.ts";

export interface ProductiveSources {
  companies: CompanySource;
  contactEntries: ContactEntrySource;
  backend: ProviderBackend;
  close(): Promise<void>;
}

/** Productive served live: companies and contact entries from its REST API. */
export function createProductiveSources(
  config: ProductiveConfig,
  upstream: UpstreamSettings,
): ProductiveSources {
  const client = createProductiveClient(config, upstream);
  return {
    companies: createProductiveCompanies(client),
    contactEntries: createProductiveContactEntries(client),
    backend: {
      backend: "LIVE",
      async ping() {
        await fetchWindow(client, "companies", {}, { offset: 0, limit: 1 });
      },
      protection: () => client.protection(),
    },
    close: () => client.close(),
  };
}
