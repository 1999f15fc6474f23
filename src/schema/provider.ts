import { PROVIDERS } from "../domain/common.ts";
import { builder } from "./builder.ts";

export const ProviderEnum = builder.enumType("Provider", {
  values: PROVIDERS,
  description: "The upstream system a record lives in.",
});
