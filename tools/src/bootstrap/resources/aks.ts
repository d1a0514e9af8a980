// The AKS cluster in tenant 1: only read. Its OIDC issuer (blob-fuse-wi), its VNet (NFS modes), its version.
import type { BootstrapConfig } from "../config.ts";
import { aksShowArgv } from "../reads.ts";
import type { Capture, Expectation } from "../step.ts";
import { type Rights, type StepInput, azIn, sub } from "./common.ts";
import { cited, GENERAL, PRIVILEGED } from "./sources.ts";
import { READERS, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant1/aks": needing(cited("Reader on the AKS cluster.", GENERAL, PRIVILEGED), azureRole(READERS, "aks-cluster")),
};

/** The oldest AKS whose managed Blob CSI driver (v1.27+) has the token refresh fix (blob-csi-driver PR #2071). */
export const MIN_AKS_VERSION = "1.34";

function aksUpdate(c: BootstrapConfig, ...flags: string[]): string {
  return azIn(c, "tenant1", [
    "aks",
    "update",
    "-g",
    c.aks.resourceGroup,
    "-n",
    c.aks.name,
    ...flags,
    ...sub(c, "tenant1"),
  ]);
}

function workloadIdentityExpectations(c: BootstrapConfig): Expectation[] {
  return [
    {
      path: "oidcIssuerProfile.enabled",
      equals: true,
      severity: "error",
      problem: `AKS ${c.aks.name} has no OIDC issuer.`,
      hint: `Enable it: ${aksUpdate(c, "--enable-oidc-issuer", "--enable-workload-identity")}`,
    },
    {
      path: "securityProfile.workloadIdentity.enabled",
      equals: true,
      severity: "error",
      problem: `AKS ${c.aks.name} does not have workload identity enabled.`,
      hint: `Enable it: ${aksUpdate(c, "--enable-workload-identity")}`,
    },
    {
      path: "storageProfile.blobCsiDriver.enabled",
      equals: true,
      severity: "warning",
      problem: `The managed Blob CSI driver is off on AKS ${c.aks.name}.`,
      hint: `Enable it: ${aksUpdate(c, "--enable-blob-driver", "--yes")} (--yes answers the CLI's question whether an open-source Blob driver is installed; if one is, upgrade it to v1.27.1+ instead).`,
    },
  ];
}

/** What the read must find, and what it keeps for later steps. */
function aksReadSpec(c: BootstrapConfig): { expect: Expectation[]; captures: Capture[] } {
  const version: Expectation = {
    path: "kubernetesVersion",
    atLeastVersion: MIN_AKS_VERSION,
    severity: "warning",
    problem: `AKS is older than ${MIN_AKS_VERSION}; its managed Blob CSI driver lacks the token refresh fix (v1.27), so mounts lose access after a few hours.`,
    hint: `Upgrade: ${azIn(c, "tenant1", ["aks", "upgrade", "-g", c.aks.resourceGroup, "-n", c.aks.name, "--kubernetes-version", MIN_AKS_VERSION, ...sub(c, "tenant1")])}`,
  };
  const location: Capture = { name: "aksLocation", path: "location" };
  if (c.mode === "blob-fuse-wi")
    return {
      expect: [...workloadIdentityExpectations(c), version],
      captures: [location, { name: "oidcIssuer", path: "oidcIssuerProfile.issuerUrl" }],
    };
  if (c.network.aksVnetId) return { expect: [version], captures: [location] };
  const subnet = "agentPoolProfiles[0].vnetSubnetId";
  return {
    expect: [
      {
        path: subnet,
        notEquals: null,
        severity: "error",
        problem: `AKS ${c.aks.name} uses a VNet that AKS manages, so its id is not in the node pool profile.`,
        hint: "Set network.aksVnetId to the node VNet's full resource id (in the cluster's MC_ resource group).",
      },
      version,
    ],
    captures: [
      location,
      { name: "aksVnetId", path: subnet, transform: "vnet-of-subnet" },
      { name: "aksVnetResourceGroup", path: subnet, transform: "vnet-resource-group-of-subnet" },
      { name: "aksVnetName", path: subnet, transform: "vnet-name-of-subnet" },
    ],
  };
}

/** A preflight read: a cluster without OIDC or workload identity stops the run before any change. */
export function aksStep(c: BootstrapConfig): StepInput {
  return {
    id: "tenant1/aks",
    tenant: "tenant1",
    phase: "preflight",
    kind: "read",
    action: `reading AKS cluster ${c.aks.name}`,
    why:
      c.mode === "blob-fuse-wi"
        ? "The federated credential must name the cluster's OIDC issuer exactly as AKS reports it."
        : "The private endpoint goes into the cluster's VNet.",
    argv: aksShowArgv(c.aks, sub(c, "tenant1")),
    ...aksReadSpec(c),
    dependsOn: ["tenant1/login"],
  };
}
