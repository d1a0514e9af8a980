// Everything doctor reads, each read made at most once and shared by the checks that need it. Reads start
// when a check first asks, and the checks run side by side, so independent reads (the cluster, tenant 1,
// tenant 2) overlap. Nothing here writes: the cluster reader has only reads, and every az call is a show/list.
import type {
  CoreV1Event,
  V1CSIDriver,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
} from "@kubernetes/client-node";
import { AzError, type AzCall, type AzFailureKind, type AzTarget } from "../az/az.ts";
import { parseVnetId } from "../az/resource-id.ts";
import type { BootstrapConfig } from "../bootstrap/config.ts";
import { storageAccountResourceId } from "../bootstrap/resources/storage-account.ts";
import { privateEndpointNames } from "../bootstrap/private-endpoint-names.ts";
import {
  aksShowArgv,
  privateDnsZoneShowArgv,
  privateEndpointShowArgv,
  storageAccountShowArgv,
  storageChildArgv,
} from "../bootstrap/reads.ts";
import { attr, blobDriver, fileDriver } from "../csi/attributes.ts";
import { existsSync, readFileSync } from "node:fs";
import yaml from "js-yaml";
import { CreationRecord, type CreatedItem } from "../bootstrap/record.ts";
import type { ClusterReader, KubeTarget } from "./cluster-reader.ts";
import { MODES, type Mode } from "../schema/modes.ts";

import type { TenantKey } from "../bootstrap/step.ts";
import { SIDE_TENANT, type Side } from "../bootstrap/sides.ts";
export type { TenantKey };
export type AzRead<T> =
  | { ok: true; value: T }
  | { ok: false; notFound: boolean; kind?: AzFailureKind; message: string };

/** Label the chart puts on every object with the release's mode. */
export const MODE_LABEL = "cross-tenant-volume/mode";

export interface FactsInput {
  release: string;
  namespace: string;
  config?: BootstrapConfig;
  /** The config's path, for the `ctv bootstrap --config` fixes. */
  configPath?: string;
  /** The kubeconfig and context doctor reads the cluster with, repeated in kubectl and helm fixes. */
  kube?: KubeTarget;
  cluster: ClusterReader;
  az?: AzCall;
  /** The two-party flow: doctor reads only this side's tenant (a read of the other is the other side's row). */
  side?: Side;
}

/** A read of the other side's tenant, refused before az runs: the check becomes a row for the other side to check. */
export class OtherSideRead extends Error {
  constructor(readonly tenant: TenantKey) {
    super(`${tenant} is the other side's tenant`);
  }
}

// Shapes of the az answers doctor reads (the fields it uses).
export interface AzApp {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: string;
}
export interface AzFic {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}
export interface AzRole {
  id: string;
  scope: string;
  roleDefinitionName: string;
  principalId: string;
}
export interface AzConnection {
  id: string;
  privateEndpoint: { id: string };
  privateLinkServiceConnectionState: { status: string };
}
export interface AzAccount {
  id: string;
  name: string;
  kind: string;
  allowSharedKeyAccess: boolean | null;
  enableHttpsTrafficOnly: boolean;
  publicNetworkAccess: string | null;
  isHnsEnabled: boolean | null;
  enableNfsV3: boolean | null;
  networkRuleSet?: { defaultAction: string };
  privateEndpointConnections?: AzConnection[];
}
export interface AzEndpoint {
  id: string;
  subnet: { id: string };
  customDnsConfigs?: { ipAddresses: string[] }[];
}
export interface AzLink {
  name: string;
  virtualNetwork: { id: string };
}
/** What doctor reads of `az aks show`: the settings a workload-identity mount and the managed drivers need. */
export interface AzAks {
  oidcIssuerProfile?: { enabled?: boolean; issuerUrl?: string | null };
  securityProfile?: { workloadIdentity?: { enabled?: boolean } | null };
  storageProfile?: { blobCsiDriver?: { enabled?: boolean }; fileCsiDriver?: { enabled?: boolean } };
  agentPoolProfiles?: { vnetSubnetId?: string | null }[];
}
export interface AzPeering {
  name: string;
  remoteVirtualNetwork: { id: string };
  peeringState: string;
}

export class Facts {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(readonly input: FactsInput) {}

  get release(): string {
    return this.input.release;
  }
  get namespace(): string {
    return this.input.namespace;
  }
  get config(): BootstrapConfig | undefined {
    return this.input.config;
  }

  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      // A failed read is reported by the checks that await it; never as an unhandled rejection.
      p.catch(() => undefined);
      this.memo.set(key, p);
    }
    return p;
  }

  // ---------- the cluster ----------

  /** The release's PersistentVolume: labelled with the release and pre-bound to a claim in the namespace. */
  pv(): Promise<V1PersistentVolume | undefined> {
    return this.once("pv", async () => {
      const pvs = await this.input.cluster.persistentVolumes(`app.kubernetes.io/instance=${this.release}`);
      return pvs.find((pv) => pv.spec?.claimRef?.namespace === this.namespace);
    });
  }

  /** The mode the release was installed with (its PV's label), else the config's. */
  async mode(): Promise<Mode | undefined> {
    const label = (await this.pv().catch(() => undefined))?.metadata?.labels?.[MODE_LABEL];
    if (label && (MODES as readonly string[]).includes(label)) return label as Mode;
    return this.config?.mode;
  }

  async attributes(): Promise<Record<string, string>> {
    return (await this.pv())?.spec?.csi?.volumeAttributes ?? {};
  }

  async attr(key: string): Promise<string> {
    return attr(await this.attributes(), key);
  }

  claimName(): Promise<string | undefined> {
    return this.pv().then((pv) => pv?.spec?.claimRef?.name);
  }

  claim(): Promise<V1PersistentVolumeClaim | undefined> {
    return this.once("claim", async () => {
      const name = await this.claimName();
      return name ? this.input.cluster.claim(this.namespace, name) : undefined;
    });
  }

  /** Pods of the namespace that mount the release's claim. */
  pods(): Promise<V1Pod[]> {
    return this.once("pods", async () => {
      const [all, claim] = await Promise.all([this.input.cluster.pods(this.namespace), this.claimName()]);
      if (!claim) return [];
      return all.filter((p) => (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim));
    });
  }

  /** The ServiceAccounts whose tokens the driver exchanges: those of the pods that mount the claim. */
  async serviceAccounts(): Promise<string[]> {
    return [...new Set((await this.pods()).map((p) => p.spec?.serviceAccountName || "default"))].sort();
  }

  /**
   * True when some pod mounts the claim writable (the claim and the container mount are not read-only). The storage
   * side sees no pods: it holds the grant to what the request asks for, the write role (Storage Blob Data Contributor).
   */
  async podsWrite(): Promise<boolean> {
    if (this.input.side === "storage") return true;
    const claim = await this.claimName();
    return (await this.pods()).some((p) => {
      const vols = (p.spec?.volumes ?? [])
        .filter((v) => v.persistentVolumeClaim?.claimName === claim && !v.persistentVolumeClaim?.readOnly)
        .map((v) => v.name);
      return [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])].some((c) =>
        (c.volumeMounts ?? []).some((m) => vols.includes(m.name) && !m.readOnly),
      );
    });
  }

  async driverName(): Promise<string> {
    return (await this.pv())?.spec?.csi?.driver ?? ((await this.mode()) === "fileshare-nfs" ? fileDriver : blobDriver);
  }

  csiDriver(name: string): Promise<V1CSIDriver | undefined> {
    return this.once(`csidriver/${name}`, () => this.input.cluster.csiDriver(name));
  }

  systemPods(): Promise<V1Pod[]> {
    return this.once("system-pods", () => this.input.cluster.systemPods());
  }

  issuer(): Promise<string> {
    return this.once("issuer", () => this.input.cluster.issuer());
  }

  events(): Promise<CoreV1Event[]> {
    return this.once("events", () => this.input.cluster.events(this.namespace));
  }

  // ---------- Azure, through the per-tenant credential caches ----------

  get canReadAzure(): boolean {
    return this.config !== undefined && this.input.az !== undefined;
  }

  target(t: TenantKey): AzTarget {
    const c = this.config!;
    return { configDir: c[t].configDir, label: t, tenantId: c[t].tenantId };
  }

  sub(t: TenantKey): string[] {
    return ["--subscription", this.config![t].subscriptionId];
  }

  /** One az read, memoised by tenant and argv; a failure is returned, not thrown. */
  az<T>(t: TenantKey, argv: string[]): Promise<AzRead<T>> {
    return this.once(`az/${t}/${argv.join(" ")}`, async (): Promise<AzRead<T>> => {
      if (this.input.side && t !== SIDE_TENANT[this.input.side]) throw new OtherSideRead(t);
      if (!this.canReadAzure)
        return {
          ok: false,
          notFound: false,
          message: "no bootstrap config was given (--config), so doctor does not know the tenants' credential caches",
        };
      try {
        return { ok: true, value: (await this.input.az!(this.target(t), argv)) as T };
      } catch (err) {
        if (err instanceof AzError)
          return { ok: false, notFound: err.kind === "not-found", kind: err.kind, message: err.message };
        throw err;
      }
    });
  }

  // ---------- what the config, the bootstrap's record and its values file name ----------

  /** The bootstrap's record (read only); undefined when there is none or it is unreadable. */
  private record(): ReturnType<typeof CreationRecord.read> | undefined {
    const path = this.config?.paths.recordFile;
    if (!path || !existsSync(path)) return undefined;
    try {
      return CreationRecord.read(path);
    } catch {
      return undefined;
    }
  }

  /** What the bootstrap's record says it created; empty when there is no readable record. */
  recordItems(): readonly CreatedItem[] {
    return this.record()?.created ?? [];
  }

  /** The record's creation ID, which the bootstrap marks onto what it creates (so teardown can prove it is ours). */
  creationId(): string | undefined {
    return this.record()?.creationId;
  }

  /**
   * The app the config names (app.clientId), else the one the bootstrap's record says it created, else the
   * client ID in the values file the bootstrap wrote; undefined when none of them names one.
   */
  namedClientId(): string | undefined {
    const c = this.config;
    if (!c) return undefined;
    if (c.app.clientId) return c.app.clientId;
    // The newest: a bootstrap run after its app was deleted records the new app after the old one.
    const recorded = [...this.recordItems()].reverse().find((i) => i.kind === "app")?.vars.appId;
    if (recorded) return recorded;
    try {
      const values = yaml.load(readFileSync(c.paths.valuesFile, "utf8")) as {
        workloadIdentity?: { clientId?: unknown };
      };
      const id = values?.workloadIdentity?.clientId;
      return typeof id === "string" && id !== "" ? id : undefined;
    } catch {
      return undefined;
    }
  }

  /** The app whose chain the tenant checks follow: the one the config or record names, else the PV's clientID. */
  async clientId(): Promise<string> {
    return this.namedClientId() ?? (await this.attr("clientID"));
  }

  private async byClientId<T>(t: TenantKey, argv: (id: string) => string[]): Promise<AzRead<T>> {
    const clientId = await this.clientId();
    if (!clientId) return { ok: false, notFound: false, message: "the PersistentVolume has no clientID attribute" };
    return this.az<T>(t, argv(clientId));
  }

  /** The app (see clientId()), read in tenant 1. */
  app(): Promise<AzRead<AzApp>> {
    return this.byClientId("tenant1", (id) => ["ad", "app", "show", "--id", id]);
  }

  federatedCredentials(): Promise<AzRead<AzFic[]>> {
    return this.byClientId("tenant1", (id) => ["ad", "app", "federated-credential", "list", "--id", id]);
  }

  /** The app's service principal in tenant 2 (the storage tenant). */
  servicePrincipal(): Promise<AzRead<{ id: string; appId: string }>> {
    return this.byClientId("tenant2", (id) => ["ad", "sp", "show", "--id", id]);
  }

  /** Every role assignment of the app's service principal in tenant 2's subscription, at any scope. */
  roleAssignments(): Promise<AzRead<AzRole[]>> {
    return this.byClientId("tenant2", (id) => [
      "role",
      "assignment",
      "list",
      "--all",
      "--assignee",
      id,
      ...this.sub("tenant2"),
    ]);
  }

  account(): Promise<AzRead<AzAccount>> {
    const c = this.config!;
    return this.az("tenant2", storageAccountShowArgv(c.storage, this.sub("tenant2")));
  }

  container(): Promise<AzRead<unknown>> {
    const c = this.config!;
    return this.az(
      "tenant2",
      storageChildArgv("container-rm", "show", c.storage.containerName, c.storage, this.sub("tenant2")),
    );
  }

  share(): Promise<AzRead<{ enabledProtocols: string }>> {
    const c = this.config!;
    return this.az(
      "tenant2",
      storageChildArgv("share-rm", "show", c.storage.shareName, c.storage, this.sub("tenant2")),
    );
  }

  accountId(): string {
    return storageAccountResourceId(this.config!);
  }

  endpointNames() {
    return privateEndpointNames(this.config!);
  }

  endpoint(): Promise<AzRead<AzEndpoint>> {
    const pe = this.endpointNames();
    return this.az("tenant1", privateEndpointShowArgv(pe, this.sub("tenant1")));
  }

  /** `az aks show` of the configured cluster (one read, shared by the rows that need it). */
  aks(): Promise<AzRead<AzAks>> {
    const c = this.config!;
    return this.az<AzAks>("tenant1", aksShowArgv(c.aks, this.sub("tenant1")));
  }

  /** The AKS VNet: from the config, else from the cluster's node pool subnet. */
  aksVnetId(): Promise<AzRead<string>> {
    return this.once("aks-vnet", async (): Promise<AzRead<string>> => {
      const c = this.config!;
      if (c.network.aksVnetId) return { ok: true, value: c.network.aksVnetId };
      const aks = await this.aks();
      if (!aks.ok) return aks;
      const subnet = aks.value.agentPoolProfiles?.find((p) => p.vnetSubnetId)?.vnetSubnetId;
      if (!subnet)
        return {
          ok: false,
          notFound: false,
          message: `AKS ${c.aks.name} reports no node subnet (a managed VNet); set network.aksVnetId in the config`,
        };
      return { ok: true, value: subnet.replace(/\/subnets\/[^/]+$/i, "") };
    });
  }

  zone(): Promise<AzRead<unknown>> {
    const pe = this.endpointNames();
    return this.az("tenant1", privateDnsZoneShowArgv(pe, this.sub("tenant1")));
  }

  zoneLinks(): Promise<AzRead<AzLink[]>> {
    const pe = this.endpointNames();
    return this.az("tenant1", [
      "network",
      "private-dns",
      "link",
      "vnet",
      "list",
      "-g",
      pe.dnsRg,
      "-z",
      pe.zone,
      ...this.sub("tenant1"),
    ]);
  }

  aRecord(): Promise<AzRead<{ aRecords: { ipv4Address: string }[] }>> {
    const pe = this.endpointNames();
    return this.az("tenant1", [
      "network",
      "private-dns",
      "record-set",
      "a",
      "show",
      "-n",
      this.config!.storage.accountName,
      "-g",
      pe.dnsRg,
      "-z",
      pe.zone,
      ...this.sub("tenant1"),
    ]);
  }

  /** Peerings of a VNet (given by full id), read in the tenant that owns it. */
  peerings(t: TenantKey, vnetId: string): Promise<AzRead<AzPeering[]>> {
    const v = parseVnetId(vnetId);
    if (!v) return Promise.resolve({ ok: false, notFound: false, message: `'${vnetId}' is not a VNet resource id` });
    return this.az(t, [
      "network",
      "vnet",
      "peering",
      "list",
      "-g",
      v.resourceGroup,
      "--vnet-name",
      v.name,
      ...this.sub(t),
    ]);
  }
}
