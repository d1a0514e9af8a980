// Which az credential cache and tenant each side of a config runs in: shared by apply and teardown.
import type { AzTarget } from "../az/az.ts";
import type { BootstrapConfig } from "./config.ts";
import type { TenantKey } from "./step.ts";

/** The az target of each tenant of the config (its AZURE_CONFIG_DIR, label and tenant id). */
export function targets(c: BootstrapConfig): Record<TenantKey, AzTarget> {
  return {
    tenant1: { configDir: c.tenant1.configDir, label: "tenant1", tenantId: c.tenant1.tenantId },
    tenant2: { configDir: c.tenant2.configDir, label: "tenant2", tenantId: c.tenant2.tenantId },
  };
}
