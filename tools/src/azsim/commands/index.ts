// The commands the fake az knows: each command's options (../../az/command-surface.ts, shared with the
// product's check against the real CLI) joined with the handler that acts on the simulated state.
import { AZ_COMMANDS, type AzCommandName } from "../../az/command-surface.ts";
import { ACCOUNT_HANDLERS } from "./account.ts";
import { AD_HANDLERS } from "./ad.ts";
import { AKS_HANDLERS } from "./aks.ts";
import type { CommandSpec, Handler } from "./context.ts";
import { GROUP_HANDLERS } from "./group.ts";
import { NETWORK_HANDLERS } from "./network.ts";
import { PRIVATE_DNS_HANDLERS } from "./private-dns.ts";
import { ROLE_HANDLERS } from "./role.ts";
import { STORAGE_HANDLERS } from "./storage.ts";

export { AzCommandError, type CommandSpec, type Ctx } from "./context.ts";

/** One handler per command of the surface; the type fails to compile when one is missing. */
const HANDLERS: Record<AzCommandName, Handler> = {
  ...ACCOUNT_HANDLERS,
  ...AD_HANDLERS,
  ...AKS_HANDLERS,
  ...GROUP_HANDLERS,
  ...NETWORK_HANDLERS,
  ...PRIVATE_DNS_HANDLERS,
  ...ROLE_HANDLERS,
  ...STORAGE_HANDLERS,
};

export const COMMANDS: Record<string, CommandSpec> = Object.fromEntries(
  (Object.keys(AZ_COMMANDS) as AzCommandName[]).map((name) => [name, { ...AZ_COMMANDS[name], run: HANDLERS[name] }]),
);
