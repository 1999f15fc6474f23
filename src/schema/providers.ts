import { PROVIDERS, type Provider } from "../domain/common.ts";
import { builder } from "./builder.ts";
import { toGraphQLError } from "./errors.ts";
import { ProviderEnum } from "./provider.ts";

interface ProviderStatus {
  provider: Provider;
  backend: "LIVE" | "STORE";
  healthy: boolean;
  message: string | null;
  errorCode: string | null;
}

const BackendEnum = builder.enumType("Backend", {
  values: {
    LIVE: { description: "The provider's REST API (credentials configured)." },
    STORE: { description: "The embedded local store." },
  },
});

const ProviderStatusType = builder.objectRef<ProviderStatus>("ProviderStatus").implement({
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, resolve: (status) => status.provider }),
    backend: t.field({ type: BackendEnum, resolve: (status) => status.backend }),
    healthy: t.exposeBoolean("healthy", {
      description: "Whether one cheap call to the backend just succeeded.",
    }),
    message: t.exposeString("message", { nullable: true, description: "Why it is not healthy." }),
    errorCode: t.exposeString("errorCode", {
      nullable: true,
      description: "The error code a query would get.",
    }),
  }),
});

builder.queryField("providers", (t) =>
  t.field({
    type: [ProviderStatusType],
    description:
      "Which backend serves each provider, and whether it answers now (one probe each, in parallel).",
    resolve: (_root, _args, ctx) =>
      Promise.all(
        PROVIDERS.map(async (provider): Promise<ProviderStatus> => {
          const { backend, ping } = ctx.sources.health[provider];
          try {
            await ping();
            return { provider, backend, healthy: true, message: null, errorCode: null };
          } catch (error) {
            const typed = toGraphQLError(error);
            return {
              provider,
              backend,
              healthy: false,
              message: typed?.message ?? "the backend failed unexpectedly",
              errorCode: (typed?.extensions.code as string | undefined) ?? "INTERNAL_SERVER_ERROR",
            };
          }
        }),
      ),
  }),
);
