// The az command lines that read one Azure fact, shared by the bootstrap's plan (its checks and preflight
// reads) and doctor (its reads), so that both ask Azure the same question. Pure: argv arrays only.

/** `az storage container-rm|share-rm create|show` of one container or share of the storage account (ARM, so it works with shared keys off). */
export function storageChildArgv(
  kind: "container-rm" | "share-rm",
  verb: "create" | "show",
  name: string,
  storage: { accountName: string; resourceGroup: string },
  sub: readonly string[],
): string[] {
  return [
    "storage",
    kind,
    verb,
    "-n",
    name,
    "--storage-account",
    storage.accountName,
    "-g",
    storage.resourceGroup,
    ...sub,
  ];
}

/** `az storage account show` of the storage account. */
export function storageAccountShowArgv(
  storage: { accountName: string; resourceGroup: string },
  sub: readonly string[],
): string[] {
  return ["storage", "account", "show", "-n", storage.accountName, "-g", storage.resourceGroup, ...sub];
}

/** `az aks show` of the cluster (its OIDC issuer, version and node subnet). */
export function aksShowArgv(aks: { name: string; resourceGroup: string }, sub: readonly string[]): string[] {
  return ["aks", "show", "-g", aks.resourceGroup, "-n", aks.name, ...sub];
}

/** `az network private-endpoint show` of the storage account's private endpoint. */
export function privateEndpointShowArgv(pe: { name: string; rg: string }, sub: readonly string[]): string[] {
  return ["network", "private-endpoint", "show", "-n", pe.name, "-g", pe.rg, ...sub];
}

/** `az network private-dns zone show` of the endpoint's privatelink zone. */
export function privateDnsZoneShowArgv(pe: { zone: string; dnsRg: string }, sub: readonly string[]): string[] {
  return ["network", "private-dns", "zone", "show", "-n", pe.zone, "-g", pe.dnsRg, ...sub];
}

/** `az network private-dns record-set a show` of the storage account's A record in the privatelink zone. */
export function aRecordShowArgv(
  pe: { zone: string; dnsRg: string },
  account: string,
  sub: readonly string[],
): string[] {
  return ["network", "private-dns", "record-set", "a", "show", "-n", account, "-g", pe.dnsRg, "-z", pe.zone, ...sub];
}

/** `az ad app list` of the apps with a display name (Graph matches by prefix; callers keep the exact name). */
export function appListArgv(displayName: string): string[] {
  return ["ad", "app", "list", "--display-name", displayName];
}

/** `az ad app show` of one app, by object id or app (client) id. */
export function appShowArgv(id: string): string[] {
  return ["ad", "app", "show", "--id", id];
}

/** `az ad app federated-credential list` of the credentials on one app (by its object id). */
export function federatedCredentialListArgv(appObjectId: string): string[] {
  return ["ad", "app", "federated-credential", "list", "--id", appObjectId];
}

/** `az ad sp show` of one service principal, by object id or app id. */
export function servicePrincipalShowArgv(id: string): string[] {
  return ["ad", "sp", "show", "--id", id];
}

/** `az role assignment list` at a scope, narrowed to one principal and role when given. */
export function roleAssignmentListArgv(
  q: { scope: string; principalId?: string; role?: string },
  sub: readonly string[],
): string[] {
  return [
    "role",
    "assignment",
    "list",
    "--scope",
    q.scope,
    ...(q.principalId !== undefined ? ["--assignee-object-id", q.principalId] : []),
    ...(q.role !== undefined ? ["--role", q.role] : []),
    ...sub,
  ];
}

/** `az group show` of one resource group. */
export function groupShowArgv(resourceGroup: string, sub: readonly string[]): string[] {
  return ["group", "show", "-n", resourceGroup, ...sub];
}

/** `az storage container-rm|share-rm list` of every container or share in the storage account. */
export function storageChildListArgv(
  kind: "container-rm" | "share-rm",
  storage: { accountName: string; resourceGroup: string },
  sub: readonly string[],
): string[] {
  return ["storage", kind, "list", "--storage-account", storage.accountName, "-g", storage.resourceGroup, ...sub];
}
