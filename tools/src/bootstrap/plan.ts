// plan(config) -> Step[]: everything the seed article's az commands do, for one mode, in order, as data. Pure: no
// az call, no file access. Each Azure resource kind contributes its steps from its module (./resources/); this file
// only puts them in order. apply() runs the plan.
import type { BootstrapConfig } from "./config.ts";
import { privateEndpointNames } from "./private-endpoint-names.ts";
import { aksStep } from "./resources/aks.ts";
import { appSteps } from "./resources/app.ts";
import { type StepInput, sub } from "./resources/common.ts";
import { containerStep } from "./resources/container.ts";
import { approvalStep } from "./resources/endpoint-connection.ts";
import { federatedCredentialStep } from "./resources/federated-credential.ts";
import { peeringSteps } from "./resources/peering.ts";
import { privateDnsZoneStep } from "./resources/private-dns-zone.ts";
import { privateEndpointStep, subnetStep } from "./resources/private-endpoint.ts";
import { resourceGroupStep } from "./resources/resource-group.ts";
import { roleAssignmentStep } from "./resources/role-assignment.ts";
import { servicePrincipalSteps } from "./resources/service-principal.ts";
import { shareStep } from "./resources/share.ts";
import { accountNameStep, storageAccountStep } from "./resources/storage-account.ts";
import { dnsRecordStep, zoneGroupStep } from "./resources/zone-group.ts";
import { zoneLinkStep } from "./resources/zone-link.ts";
import type { Plan, Step, TenantKey } from "./step.ts";

/** Collects steps in order; `add` returns the step's id for later steps' dependsOn. */
class Steps {
  readonly list: Step[] = [];
  add(s: StepInput): string {
    this.list.push({ phase: "main", dependsOn: [], ...s });
    return s.id;
  }
}

function other(t: TenantKey): TenantKey {
  return t === "tenant1" ? "tenant2" : "tenant1";
}

/** Preflight logins (and, for cross-tenant peering, each cache's login to the other tenant). */
function loginSteps(c: BootstrapConfig, peering: boolean): StepInput[] {
  return (["tenant1", "tenant2"] as const).flatMap((t): StepInput[] => [
    {
      id: `${t}/login`,
      tenant: t,
      phase: "preflight",
      kind: "read",
      action: `checking the login to ${t} (${c[t].tenantId})`,
      why: `Every ${t} command runs with AZURE_CONFIG_DIR=${c[t].configDir}, which must hold a login to this tenant.`,
      argv: ["account", "show", ...sub(c, t)],
      // A subscription belongs to one tenant: a config (or a request) naming another tenant is a typo or a tampering.
      expect: [
        {
          path: "tenantId",
          oneOf: [c[t].tenantId.toLowerCase(), c[t].tenantId],
          severity: "error",
          problem: `Subscription ${c[t].subscriptionId} is not in tenant ${c[t].tenantId}, the ${t} tenant named.`,
          hint: `Check the tenant and subscription IDs (${t}.tenantId and subscriptionId in the config; on the storage side, the request's tenants.storage): they must name one tenant and a subscription in it.`,
        },
      ],
    },
    // Cross-tenant peering sends a token for the other tenant from the same credential cache.
    ...(peering
      ? [
          {
            id: `${t}/login-${other(t)}`,
            tenant: t,
            phase: "preflight" as const,
            kind: "read" as const,
            action: `checking that ${t}'s credential cache can also reach ${other(t)}`,
            why: "VNet peering across tenants needs a token for the remote tenant in the same credential cache (az sends it as an auxiliary token).",
            argv: ["account", "show", ...sub(c, other(t))],
          },
        ]
      : []),
  ]);
}

/** az ad commands act on the active subscription's tenant; make sure it is this tenant's. */
function activeSubscriptionStep(c: BootstrapConfig, t: TenantKey): StepInput {
  return {
    id: `${t}/active-subscription`,
    tenant: t,
    phase: "preflight",
    kind: "local",
    action: `selecting subscription ${c[t].subscriptionId} in ${t}'s credential cache`,
    why: "Microsoft Graph (az ad) commands act on the active subscription's tenant.",
    argv: ["account", "set", "--subscription", c[t].subscriptionId],
    check: { argv: ["account", "show"], doneWhen: { id: c[t].subscriptionId } },
    dependsOn: [`${t}/login`],
  };
}

/** The preflight steps (all reads, before any change); returns their ids and the AKS read's. */
function preflight(c: BootstrapConfig, s: Steps): { pre: string[]; aks: string } {
  const wi = c.mode === "blob-fuse-wi";
  const pre = loginSteps(c, !wi && c.network.storageVnetId !== undefined).map((x) => s.add(x));
  if (wi) for (const t of ["tenant1", "tenant2"] as const) pre.push(s.add(activeSubscriptionStep(c, t)));
  pre.push(s.add(accountNameStep(c)));
  const aks = s.add(aksStep(c));
  pre.push(aks);
  return { pre, aks };
}

function storageSteps(c: BootstrapConfig, s: Steps, pre: string[]): string {
  const rg = s.add(resourceGroupStep(c, pre));
  return s.add(storageAccountStep(c, rg));
}

function planWorkloadIdentity(c: BootstrapConfig, s: Steps, aks: string, pre: string[]): void {
  const [app, ...mark] = appSteps(c, pre);
  const appId = s.add(app!);
  for (const m of mark) s.add(m);
  s.add(federatedCredentialStep(c, aks, appId));
  const [sp, ...spRest] = servicePrincipalSteps(c, appId, pre);
  const spId = s.add(sp!);
  for (const x of spRest) s.add(x);
  const account = storageSteps(c, s, pre);
  const container = s.add(containerStep(c, "The container the volume mounts.", account));
  s.add(roleAssignmentStep(c, spId, container));
}

function planNfs(c: BootstrapConfig, s: Steps, aks: string, pre: string[]): void {
  const pe = privateEndpointNames(c);
  pre.push(s.add(subnetStep(c, aks)));
  const account = storageSteps(c, s, pre);
  s.add(
    c.mode === "fileshare-nfs"
      ? shareStep(c, account)
      : containerStep(c, "The container the volume mounts over NFS v3.", account),
  );
  const endpoint = s.add(privateEndpointStep(c, aks, account));
  s.add(approvalStep(c, endpoint));
  const zone = s.add(privateDnsZoneStep(c, pe, pre));
  s.add(zoneLinkStep(c, pe, zone, aks));
  const zoneGroup = s.add(zoneGroupStep(c, pe, endpoint, zone));
  s.add(dnsRecordStep(c, pe, sub(c, "tenant1"), [endpoint, zoneGroup]));
  for (const x of peeringSteps(c, aks, pre)) s.add(x);
}

/** Every step for the config's mode, in order; what Azure already holds is found when a run refreshes (apply). */
export function plan(c: BootstrapConfig): Plan {
  const s = new Steps();
  const { pre, aks } = preflight(c, s);
  if (c.mode === "blob-fuse-wi") planWorkloadIdentity(c, s, aks, pre);
  else planNfs(c, s, aks, pre);
  return { mode: c.mode, steps: s.list };
}
