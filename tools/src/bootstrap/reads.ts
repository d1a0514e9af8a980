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
