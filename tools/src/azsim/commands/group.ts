// az group: resource groups.
import type { AzCommandName } from "../../az/command-surface.ts";
import { type Handler, a, armError, group, must, parseTags } from "./context.ts";
import { groupJson } from "../shapes.ts";

export const GROUP_HANDLERS = {
  "group show": (ctx) => groupJson(group(ctx, ctx.arm().subscriptionId, must(ctx, "name", "--name/-n"))),
  "group create"(ctx) {
    const { subscriptionId } = ctx.arm();
    const name = must(ctx, "name", "--name/-n");
    let g = ctx.state.resourceGroups.find(
      (x) => x.subscriptionId === subscriptionId && x.name.toLowerCase() === name.toLowerCase(),
    );
    if (g && g.location !== must(ctx, "location", "--location/-l")) {
      throw armError(
        "InvalidResourceGroupLocation",
        `Invalid resource group location '${a(ctx, "location")}'. The Resource group already exists in location '${g.location}' in resource group '${name}'. A resource group cannot be created with the same name in multiple locations.`,
      );
    }
    if (!g) {
      g = { subscriptionId, name, location: must(ctx, "location", "--location/-l"), tags: {} };
      ctx.state.resourceGroups.push(g);
    }
    g.tags = parseTags(ctx.args.tags);
    return groupJson(g);
  },
} satisfies Partial<Record<AzCommandName, Handler>>;
