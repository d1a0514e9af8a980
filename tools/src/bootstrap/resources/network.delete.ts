// Teardown of network objects (private endpoint, DNS zone and link, zone group, peering): never deleted,
// since other workloads may route through them; listed with how to remove them.
import type { DeleteKind } from "../ownership.ts";
import { NETWORK_STAYS } from "../ownership.ts";

export const networkDelete: DeleteKind = {
  kind: "network",
  find: async () => ({ reason: NETWORK_STAYS }),
  prove: async () => ({ reason: NETWORK_STAYS }),
};
