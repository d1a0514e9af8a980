// The blob container (both blob modes), made through ARM so shared keys may stay off.
import { containerId } from "../../az/resource-id.ts";
import type { BootstrapConfig } from "../config.ts";
import { storageChildArgv } from "../reads.ts";
import { type Rights, type StepInput, sub } from "./common.ts";
import { storageAccountRef } from "./storage-account.ts";
import { cited, PRIVILEGED, STORAGE } from "./sources.ts";
import { STORAGE_WRITERS, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant2/container": needing(
    cited(
      "Storage Account Contributor on the account (the container is created through ARM, keys stay off).",
      STORAGE,
      PRIVILEGED,
    ),
    azureRole(STORAGE_WRITERS, "storage-account"),
  ),
};

export function containerResourceId(c: BootstrapConfig): string {
  return containerId(storageAccountRef(c), c.storage.containerName);
}

export function containerStep(c: BootstrapConfig, why: string, account: string): StepInput {
  const name = c.storage.containerName;
  return {
    id: "tenant2/container",
    tenant: "tenant2",
    kind: "write",
    action: `creating container ${name}`,
    why,
    argv: storageChildArgv("container-rm", "create", name, c.storage, sub(c, "tenant2")),
    check: { argv: storageChildArgv("container-rm", "show", name, c.storage, sub(c, "tenant2")) },
    dependsOn: [account],
  };
}
