// az aks: the managed clusters the bootstrap reads its OIDC issuer and VNet from.
import type { AzCommandName } from "../../az/command-surface.ts";
import { type Handler, group, inRg, must, notFound } from "./context.ts";
import { aksJson } from "../shapes.ts";

export const AKS_HANDLERS = {
  "aks show"(ctx) {
    const { subscriptionId } = ctx.arm();
    const rg = must(ctx, "resource-group", "--resource-group/-g");
    const name = must(ctx, "name", "--name/-n");
    const c = ctx.state.aksClusters.find(inRg(subscriptionId, rg, name));
    if (!c) {
      group(ctx, subscriptionId, rg);
      throw notFound("Microsoft.ContainerService/managedClusters", name, rg);
    }
    return aksJson(c);
  },
} satisfies Partial<Record<AzCommandName, Handler>>;
