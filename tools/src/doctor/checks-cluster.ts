// Checks on the cluster side: the release's PV, claim, ServiceAccounts and pods, the PV's attributes,
// the CSIDriver object, the installed driver's version and the service-account issuer.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from "@kubernetes/client-node";
import { MIN_AKS_VERSION } from "../bootstrap/resources/aks.ts";
import { TOKEN_EXCHANGE_AUDIENCE } from "../bootstrap/resources/federated-credential.ts";
import { attr, blobDriver, fileDriver } from "../csi/attributes.ts";
import { type Check, broken, ok, unknown } from "./types.ts";
import type { AzAks, Facts } from "./facts.ts";
import { MODES } from "../schema/modes.ts";
import {
  aksCommand,
  aksUpdateCommand,
  bootstrapCommand,
  helmUpgradeCommand,
  kubectlCommand,
  reinstallCommands,
} from "./fixes.ts";

const WI = ["blob-fuse-wi"] as const;

/** What AKS has off of the two settings a workload-identity mount needs (the bootstrap requires both too). */
function identityOff(aks: AzAks): string[] {
  return [
    ...(aks.oidcIssuerProfile?.enabled === true ? [] : ["no OIDC issuer"]),
    ...(aks.securityProfile?.workloadIdentity?.enabled === true ? [] : ["workload identity off"]),
  ];
}

/**
 * No CSIDriver of the mode's driver. With the config, AKS says whether its managed driver is off: then the fix
 * is to turn it on, with --yes (the CLI asks whether an open-source driver is installed; doctor found none,
 * since that would have registered this CSIDriver). In words when AKS says it is on, or is not read.
 */
async function missingDriver(f: Facts, name: string, kind: "blob" | "file") {
  const why = `No CSIDriver ${name}: the driver is not installed, so the kubelet cannot mount the volume.`;
  const flag = `--enable-${kind}-driver`;
  const aks = f.canReadAzure ? await f.aks() : undefined;
  const profile = aks?.ok ? aks.value.storageProfile : undefined;
  const managed = kind === "blob" ? profile?.blobCsiDriver?.enabled : profile?.fileCsiDriver?.enabled;
  if (managed === false)
    return broken(
      `${why} AKS ${f.config!.aks.name} has its managed ${kind} driver off.`,
      "Turn AKS's managed driver on (--yes answers the CLI's question whether an open-source driver is installed: none is, or its CSIDriver would be here).",
      [aksUpdateCommand(f, [flag, "--yes"])],
    );
  if (managed === true)
    return broken(
      `${why} AKS ${f.config!.aks.name} reports its managed ${kind} driver on.`,
      "AKS installs the driver's objects itself within minutes of turning it on; if the CSIDriver stays missing, the kubeconfig may name another cluster (compare kubectl get csidriver with the AKS cluster the config names).",
    );
  return broken(
    why,
    `Install the driver: on AKS, ${aksUpdateCommand(f, [flag, "--yes"])}; elsewhere, the driver's Helm chart. Pass --config so doctor can read AKS and print the command.`,
  );
}

/** The PV is Bound to this claim and the claim names the PV: only the claim's phase has not caught up yet. */
function binding(pv: V1PersistentVolume, claim: V1PersistentVolumeClaim, pvName: string): boolean {
  return (
    pv.status?.phase === "Bound" &&
    pv.spec?.claimRef?.uid !== undefined &&
    pv.spec.claimRef.uid === claim.metadata?.uid &&
    claim.spec?.volumeName === pvName
  );
}

/** First blob CSI driver release that refreshes the workload-identity token (PR #2071). */
export const TOKEN_REFRESH_FIX = "v1.27.0";
/** The label the drivers' Helm charts put on their objects, CSIDriver included. */
export const VERSION_LABEL = "app.kubernetes.io/version";
/** Image repositories of the node plugins on AKS and in the drivers' charts (the last path segment). */
const NODE_PLUGIN_IMAGES: Record<string, string> = {
  [blobDriver]: "blob-csi",
  [fileDriver]: "azurefile-csi",
};

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Attribute keys that make a driver read a Secret or an account key (the chart refuses them too). */
const CREDENTIAL_ATTRIBUTES = [
  "secretName",
  "secretNamespace",
  "azurestorageaccountkey",
  "azurestorageaccountsastoken",
  "azurestoragespnclientsecret",
];

/** Parses v1.27.1 / 1.27.1-aks.2 into numbers; undefined when the tag is no version (latest, e2e). */
export function parseVersion(tag: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}
export function versionBelow(a: [number, number, number], b: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** The driver version the cluster runs: the node plugin's image tag, else the CSIDriver's version label. */
export async function driverVersion(
  f: Facts,
  driver: string,
): Promise<{ version: string; source: string } | undefined> {
  const repo = NODE_PLUGIN_IMAGES[driver];
  const images = (await f.systemPods()).flatMap((p: V1Pod) =>
    (p.spec?.containers ?? []).map((c) => ({
      pod: p.metadata?.name ?? "",
      image: c.image ?? "",
    })),
  );
  const plugin = images.find((i) => {
    const name = i.image
      .replace(/[:@].*$/, "")
      .split("/")
      .pop();
    return name === repo;
  });
  if (plugin) {
    const tag = /:([^/@]+)(@.*)?$/.exec(plugin.image)?.[1];
    if (tag)
      return {
        version: tag,
        source: `image ${plugin.image} of pod kube-system/${plugin.pod}`,
      };
  }
  const label = (await f.csiDriver(driver))?.metadata?.labels?.[VERSION_LABEL];
  if (label)
    return {
      version: label,
      source: `label ${VERSION_LABEL} of CSIDriver ${driver}`,
    };
  return undefined;
}

const podState = (p: V1Pod): string => {
  const waiting = p.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting?.reason;
  return (
    waiting ??
    (p.status?.phase === "Pending" && (p.status.containerStatuses ?? []).length === 0
      ? "ContainerCreating"
      : (p.status?.phase ?? "Unknown"))
  );
};

export const clusterChecks: Check[] = [
  {
    id: "cluster.pv",
    side: "cluster",
    title: "PersistentVolume of the release",
    modes: MODES,
    async run(f) {
      const pv = await f.pv();
      if (!pv) {
        // The release exists (doctor stops earlier when it does not): its PV was deleted.
        return broken(
          `No PersistentVolume is labelled app.kubernetes.io/instance=${f.release} with a claim in namespace ${f.namespace}, though the release's claim exists: the PV was deleted.`,
          "Upgrade the release with its own values: helm recreates the PV, pre-bound to the claim.",
          [helmUpgradeCommand(f)],
        );
      }
      const name = pv.metadata?.name ?? "";
      if (pv.spec?.persistentVolumeReclaimPolicy !== "Retain") {
        return broken(
          `PersistentVolume ${name} has reclaim policy ${pv.spec?.persistentVolumeReclaimPolicy}; with Delete, deleting the claim would let the driver delete the data.`,
          "Set the reclaim policy back to Retain.",
          [kubectlCommand(f, ["patch", "pv", name, "-p", '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}'])],
        );
      }
      return ok(
        `${name} (${pv.metadata?.labels?.["cross-tenant-volume/mode"] ?? "mode unknown"}, ${pv.status?.phase ?? "no phase"}).`,
      );
    },
  },
  {
    id: "cluster.claim",
    side: "cluster",
    title: "claim Bound to this PV",
    modes: MODES,
    async run(f) {
      const pv = await f.pv();
      if (!pv) return unknown("No PersistentVolume (see cluster.pv).");
      const name = pv.spec?.claimRef?.name ?? "";
      const pvName = pv.metadata?.name ?? "";
      const claim = await f.claim();
      // A PV whose claim was deleted is Released and keeps the old claim's uid: no new claim binds until it is cleared.
      const staleUid = pv.spec?.claimRef?.uid !== undefined && pv.spec.claimRef.uid !== claim?.metadata?.uid;
      const release = kubectlCommand(f, [
        "patch",
        "pv",
        pvName,
        "-p",
        '{"spec":{"claimRef":{"uid":null,"resourceVersion":null}}}',
      ]);
      if (!claim)
        return broken(
          `The PV is reserved for claim ${f.namespace}/${name}, which does not exist${pv.status?.phase === "Released" ? ` (the PV is Released${staleUid ? ", still naming the deleted claim's uid" : ""})` : ""}.`,
          staleUid
            ? "Clear the deleted claim's uid from the PV, so a new claim can bind, then upgrade the release to recreate the claim."
            : "Upgrade the release with its own values to recreate the claim.",
          staleUid ? [release, helmUpgradeCommand(f)] : [helmUpgradeCommand(f)],
        );
      if (claim.status?.phase !== "Bound" || claim.spec?.volumeName !== pvName) {
        const why = `Claim ${f.namespace}/${name} is ${claim.status?.phase ?? "not bound"}${claim.spec?.volumeName ? ` to ${claim.spec.volumeName}` : ""}, not Bound to ${pvName}`;
        if (staleUid)
          return broken(
            `${why}: the PV still names the uid of an earlier claim of that name (${pv.spec?.claimRef?.uid}), so it refuses this one (already bound to a different claim).`,
            "Clear the old uid from the PV; the claim then binds.",
            [release],
          );
        // The PV controller binds the PV first, then the claim (volumeName, then its phase): for a few seconds the
        // PV is Bound to this very claim while the claim still says Pending. Not a fault; a read a moment later shows it.
        if (binding(pv, claim, pvName))
          return unknown(
            `${why}, but the PV is already Bound to this claim (uid ${claim.metadata?.uid}): the binding is in progress.`,
            "Run doctor again in a few seconds; if the claim stays Pending, describe it (kubectl describe pvc).",
          );
        return broken(
          `${why}.`,
          `Check that the claim's storageClassName and size match the PV (kubectl describe pvc ${name} -n ${f.namespace}); a claim bound elsewhere must be deleted and the release upgraded.`,
        );
      }
      return ok(`${f.namespace}/${name} is Bound to ${pv.metadata?.name}.`);
    },
  },
  {
    id: "cluster.pods",
    side: "cluster",
    title: "pods that mount the claim and their ServiceAccounts",
    modes: MODES,
    async run(f) {
      if (!(await f.pv())) return unknown("No PersistentVolume (see cluster.pv).");
      const pods = await f.pods();
      if (pods.length === 0) return ok("No pod mounts the claim yet.");
      const mode = await f.mode();
      if (mode === "blob-fuse-wi") {
        for (const sa of await f.serviceAccounts()) {
          if (!(await f.input.cluster.serviceAccount(f.namespace, sa))) {
            const why = `ServiceAccount ${f.namespace}/${sa}, used by pods that mount the claim, does not exist, so they cannot start.`;
            // The release made it (the bootstrap's values set serviceAccount.create): helm recreates it. One made by
            // kubectl lacks the release's ownership metadata, which Helm checks before adopting an object (v3.17.4
            // pkg/action/validate.go checkOwnership), so the next helm upgrade could refuse it.
            if (sa === f.config?.kubernetes.serviceAccount)
              return broken(
                why,
                "Upgrade the release with its own values: it creates this ServiceAccount (serviceAccount.create), and helm recreates what it made.",
                [helmUpgradeCommand(f)],
              );
            return broken(why, "Create it (or set serviceAccount.create=true in the release).", [
              kubectlCommand(f, ["create", "serviceaccount", sa, "--namespace", f.namespace]),
            ]);
          }
        }
      }
      return ok(
        `${pods.map((p) => `${p.metadata?.name} (${podState(p)}${mode === "blob-fuse-wi" ? `, ServiceAccount ${p.spec?.serviceAccountName || "default"}` : ""})`).join(", ")}.`,
      );
    },
  },
  {
    id: "cluster.pv-attributes",
    side: "cluster",
    title: "PV attributes against the chart's rules and the config",
    modes: MODES,
    async run(f) {
      const pv = await f.pv();
      if (!pv) return unknown("No PersistentVolume (see cluster.pv).");
      const mode = (await f.mode())!;
      const a = await f.attributes();
      const reinstall = reinstallCommands(f);
      const fixRelease = reinstall
        ? "Reinstall the release with the values file the bootstrap wrote (PV attributes are immutable; the data stays)."
        : "Correct the values and reinstall the release (PV attributes are immutable): helm uninstall, then helm install with the bootstrap's values file (pass --config so doctor can print the commands).";
      const fail = (why: string) => broken(why, fixRelease, reinstall ?? []);
      if (pv.spec?.csi?.nodePublishSecretRef || pv.spec?.csi?.nodeStageSecretRef)
        return fail("The PV references a Secret; this project mounts without keys or Secrets.");
      const cred = CREDENTIAL_ATTRIBUTES.find((k) => attr(a, k) !== "");
      if (cred) return fail(`The PV carries attribute ${cred}, which makes the driver use a key or Secret.`);
      const problems: string[] = [];
      const c = f.config;
      const want = (key: string, expected: string | undefined, caseInsensitive = false) => {
        const v = attr(a, key);
        if (expected !== undefined && (caseInsensitive ? v.toLowerCase() !== expected.toLowerCase() : v !== expected))
          problems.push(`${key} is '${v}', expected '${expected}'`);
      };
      if (mode === "blob-fuse-wi") {
        want("mountWithWorkloadIdentityToken", "true");
        if (!GUID_RE.test(attr(a, "clientID"))) problems.push(`clientID '${attr(a, "clientID")}' is not a GUID`);
        if (attr(a, "tenantID") === "")
          problems.push("tenantID is empty, so the driver asks the cluster's own tenant instead of the storage tenant");
        if (c) {
          want("tenantID", c.tenant2.tenantId, true);
          want("subscriptionid", c.tenant2.subscriptionId, true);
          want("resourcegroup", c.storage.resourceGroup, true);
          want("storageaccount", c.storage.accountName);
          want("containerName", c.storage.containerName);
          // The app the config, the record or the values file names: a PV naming another app gives that app the data.
          const named = f.namedClientId();
          if (named) want("clientID", named, true);
        }
      } else {
        want("protocol", "nfs");
        if (c) {
          want("storageAccount", c.storage.accountName);
          if (mode === "fileshare-nfs") want("shareName", c.storage.shareName);
          else want("containerName", c.storage.containerName);
          want("storageEndpointSuffix", c.storage.endpointSuffix);
        }
      }
      const driver = pv.spec?.csi?.driver;
      const expectedDriver = mode === "fileshare-nfs" ? fileDriver : blobDriver;
      if (driver !== expectedDriver) problems.push(`driver is ${driver}, expected ${expectedDriver}`);
      if (problems.length > 0) return fail(`PV ${pv.metadata?.name}: ${problems.join("; ")}.`);
      return ok(`${Object.keys(a).length} attributes as ${mode} needs${c ? ", matching the config" : ""}.`);
    },
  },
  {
    id: "cluster.csidriver",
    side: "cluster",
    title: "CSIDriver object (tokenRequests, requiresRepublish)",
    modes: MODES,
    async run(f) {
      const name = await f.driverName();
      const d = await f.csiDriver(name);
      const mode = await f.mode();
      if (!d) return missingDriver(f, name, mode === "fileshare-nfs" ? "file" : "blob");
      if (mode !== "blob-fuse-wi") return ok(`${name} is installed.`);
      // No command: the object belongs to whatever installed the driver, and doctor cannot tell which that is.
      const reinstall = `Reinstall the driver so its CSIDriver has tokenRequests [{audience: ${TOKEN_EXCHANGE_AUDIENCE}}] and requiresRepublish: true. Doctor prints no command: this object belongs to whatever installed the driver, which the object does not show. AKS's managed driver: ${aksUpdateCommand(f, ["--disable-blob-driver", "--yes"])}, then ${aksUpdateCommand(f, ["--enable-blob-driver", "--yes"])} (the CLI's own warning: only with no blob PV or claim in use). The open-source chart: helm upgrade it to v1.27.1+.`;
      const audiences = (d.spec?.tokenRequests ?? []).map((t) => t.audience);
      if (!audiences.includes(TOKEN_EXCHANGE_AUDIENCE)) {
        return broken(
          `CSIDriver ${name} has ${audiences.length === 0 ? "no tokenRequests" : `tokenRequests for ${audiences.join(", ")} only`}, so the kubelet hands the driver no ${TOKEN_EXCHANGE_AUDIENCE} token to exchange.`,
          reinstall,
        );
      }
      if (d.spec?.requiresRepublish !== true) {
        return broken(
          `CSIDriver ${name} has no requiresRepublish: true, so the kubelet never brings a fresh token and mounts lose access when the first one expires.`,
          reinstall,
        );
      }
      return ok(`${name}: tokenRequests for ${TOKEN_EXCHANGE_AUDIENCE}, requiresRepublish true.`);
    },
  },
  {
    id: "cluster.driver-version",
    side: "cluster",
    title: `blob driver version against the token-refresh fix (${TOKEN_REFRESH_FIX})`,
    modes: WI,
    async run(f) {
      const found = await driverVersion(f, blobDriver);
      if (!found)
        return unknown(
          `No kube-system pod runs a blob-csi image and CSIDriver ${blobDriver} has no ${VERSION_LABEL} label, so the version cannot be read.`,
          "Check it by hand: kubectl get ds -n kube-system -o wide | grep blob.",
        );
      const v = parseVersion(found.version);
      if (!v) return unknown(`The driver's version '${found.version}' (${found.source}) is not a release number.`);
      if (versionBelow(v, parseVersion(TOKEN_REFRESH_FIX)!)) {
        return broken(
          `Blob CSI driver ${found.version} (${found.source}) is older than ${TOKEN_REFRESH_FIX}: it never refreshes the workload-identity token, so mounts fail with I/O errors about 2 hours after they start.`,
          `Upgrade the driver to v1.27.1 or newer. Doctor prints no command: an upgrade of the cluster is yours to schedule, and which installation owns the driver does not show here. AKS's managed driver: upgrade AKS to ${MIN_AKS_VERSION}+ (${aksCommand(f, "upgrade", ["--kubernetes-version", MIN_AKS_VERSION])}). An open-source driver: helm upgrade its chart to v1.27.1+.`,
        );
      }
      return ok(`${found.version} (${found.source}).`);
    },
  },
  {
    id: "cluster.issuer",
    side: "cluster",
    title: "service-account issuer and AKS workload identity",
    modes: WI,
    async run(f) {
      const issuer = await f
        .issuer()
        .catch((err: unknown) => ({ failed: err instanceof Error ? err.message : String(err) }));
      const aks = f.canReadAzure ? await f.aks() : undefined;
      const off = aks?.ok ? identityOff(aks.value) : [];
      if (off.length > 0)
        return broken(
          `AKS ${f.config!.aks.name} has ${off.join(" and ")}, so its pods' tokens are not ones Entra ID can check against a federated credential.`,
          // Learn, "Create an OpenID Connect provider on AKS": enabling restarts the API server, cannot be disabled.
          "Turn both on (the CLI refuses workload identity without the issuer), then run the bootstrap: it creates the federated credential for the issuer AKS then shows. Turning the issuer on restarts the API server and cannot be undone; restart pods that stay failed after it.",
          [aksUpdateCommand(f, ["--enable-oidc-issuer", "--enable-workload-identity"]), bootstrapCommand(f)],
        );
      const enable = `Enable the OIDC issuer: ${aksUpdateCommand(f, ["--enable-oidc-issuer", "--enable-workload-identity"])}`;
      if (typeof issuer !== "string")
        return broken(`The cluster serves no service-account discovery document (${issuer.failed}).`, enable);
      if (!/^https:\/\//.test(issuer))
        return broken(
          `The cluster's service-account issuer is ${issuer}, which Entra ID cannot fetch keys from.`,
          enable,
        );
      const aksIssuer = aks?.ok ? aks.value.oidcIssuerProfile?.issuerUrl : undefined;
      if (aks?.ok && aksIssuer !== issuer) {
        const c = f.config!;
        return broken(
          `The cluster's issuer ${issuer} is not AKS ${c.aks.name}'s OIDC issuer (${aksIssuer ?? "none"}): the kubeconfig points at another cluster, or the config names another AKS.`,
          `Point --kubeconfig/--context at AKS ${c.aks.name}, or fix aks.name/aks.resourceGroup in the config.`,
        );
      }
      return ok(issuer);
    },
  },
];
