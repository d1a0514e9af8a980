// The driver against the real simulated Azure: a state file seeded like bootstrap leaves it, read
// again on every mount, so each test breaks one thing and checks the error a user would see.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_IDS, demoSeed, roleAssignmentFixture, seedAzState, storageAccountFixture } from "../azsim/seed.ts";
import { loadAzState, saveAzState, type AzState } from "../azsim/state.ts";
import { containerId, storageAccountId } from "../az/resource-id.ts";
import { serviceAccountTokensKey } from "./attributes.ts";
import { azsimAuthority } from "./authority.ts";
import { startDrivers, type RunningDrivers } from "./driver.ts";
import { mountPoints } from "./mounter.ts";
import {
  csiClient,
  failure,
  mountCapability,
  testIssuer,
  tokensAttribute,
  type CsiClient,
  type TestIssuer,
} from "./test-support.ts";

const clientId = "0b6c1a7e-3f2d-4e5a-9c8b-7d6e5f4a3b21";
const spId = "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716";
let root: string;
let statePath: string;
let issuer: TestIssuer;
let running: RunningDrivers;
let blob: CsiClient;
let file: CsiClient;
let n = 0;

/** The state bootstrap leaves for blob-fuse-wi: app + federated credential in tenant 1, SP, account, container and role in tenant 2. */
function seedBlobFuseWi(): void {
  const state = seedAzState(statePath, demoSeed({ oidcIssuerUrl: issuer.url }));
  state.apps.push({
    tenantId: DEMO_IDS.tenant1,
    id: "app-object-1",
    appId: clientId,
    displayName: "aks-cross-tenant-storage",
    signInAudience: "AzureADMultipleOrgs",
    createdDateTime: "2026-11-29T00:00:00Z",
    federatedCredentials: [
      {
        id: "fic-1",
        name: "kubernetes-federated-credential",
        issuer: issuer.url,
        subject: "system:serviceaccount:blob-fuse:blob-fuse-sa",
        audiences: ["api://AzureADTokenExchange"],
      },
    ],
  });
  state.servicePrincipals.push({
    tenantId: DEMO_IDS.tenant2,
    id: spId,
    appId: clientId,
    displayName: "aks-cross-tenant-storage",
    appOwnerOrganizationId: DEMO_IDS.tenant1,
    tags: [],
    servicePrincipalType: "Application",
  });
  state.resourceGroups.push({
    subscriptionId: DEMO_IDS.subscription2,
    name: "rg-storage",
    location: "westeurope",
    tags: {},
  });
  const account = storageAccountFixture({
    subscriptionId: DEMO_IDS.subscription2,
    resourceGroup: "rg-storage",
    name: "ctvdata2",
    containers: [{ name: "aks-container", publicAccess: "None" }],
  });
  state.storageAccounts.push(account);
  state.roleAssignments.push(
    roleAssignmentFixture({
      name: "ra-1",
      scope: containerId(account, "aks-container"),
      roleDefinitionName: "Storage Blob Data Contributor",
      principalId: spId,
    }),
  );
  saveAzState(statePath, state);
}

function change(fn: (s: AzState) => void): void {
  const s = loadAzState(statePath);
  fn(s);
  saveAzState(statePath, s);
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "ctv-csi-azsim-"));
  statePath = path.join(root, "azsim.json");
  issuer = await testIssuer("https://192.0.2.2:16443");
  running = await startDrivers({
    drivers: ["blob.csi.azure.com", "file.csi.azure.com"],
    kubeletDir: path.join(root, "kubelet"),
    storageRoot: path.join(root, "storage"),
    nodeId: "node-1",
    authority: azsimAuthority(statePath),
    jwks: () => issuer.jwks(),
    log: () => {},
  });
  blob = csiClient(running.drivers[0]!.csiSocket);
  file = csiClient(running.drivers[1]!.csiSocket);
});

afterAll(async () => {
  for (const t of mountPoints())
    if (t.startsWith(root)) await blob.NodeUnpublishVolume({ volume_id: "v", target_path: t });
  blob.close();
  file.close();
  await running.stop();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => seedBlobFuseWi());

async function publishWi(opts: { sub?: string; tenantId?: string; container?: string } = {}) {
  const target = path.join(root, "pods", `p${n++}`, "mount");
  const req = {
    volume_id: `rg-storage#ctvdata2#${opts.container ?? "aks-container"}#pv`,
    target_path: target,
    volume_capability: mountCapability(["-o allow_other"]),
    readonly: false,
    secrets: {},
    publish_context: {},
    volume_context: {
      storageaccount: "ctvdata2",
      containerName: opts.container ?? "aks-container",
      clientID: clientId,
      resourcegroup: "rg-storage",
      tenantID: opts.tenantId ?? DEMO_IDS.tenant2,
      subscriptionid: DEMO_IDS.subscription2,
      mountWithWorkloadIdentityToken: "true",
      [serviceAccountTokensKey]: tokensAttribute(await issuer.token(opts.sub ? { sub: opts.sub } : {})),
    },
  };
  return { target, call: blob.NodePublishVolume(req) };
}

const prefix =
  "Mount failed with error: exit status 1, output: Error: failed to initialize new pipeline [failed to authenticate azstorage credentials with error [";

describe("blob-fuse-wi against the simulated Azure", () => {
  it("mounts when the federated credential, service principal, role and container are all in place", async () => {
    const { target, call } = await publishWi();
    await call;
    writeFileSync(path.join(target, "text"), "hello!\n");
    expect(readFileSync(path.join(root, "storage", "ctvdata2", "aks-container", "text"), "utf8")).toBe("hello!\n");
  });

  it("refuses a pod whose ServiceAccount is not the federated subject (AADSTS700213)", async () => {
    const f = await failure((await publishWi({ sub: "system:serviceaccount:blob-fuse:default" })).call);
    expect(f.details).toBe(
      `${prefix}AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:blob-fuse:default'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.]]`,
    );
  });

  it("refuses a subject that differs only in case (AADSTS7002138)", async () => {
    const f = await failure((await publishWi({ sub: "system:serviceaccount:blob-fuse:Blob-Fuse-SA" })).call);
    expect(f.details).toContain("AADSTS7002138");
  });

  it("refuses when the credential's issuer lacks the token's form, e.g. a trailing slash (AADSTS70021)", async () => {
    change((s) => (s.apps[0]!.federatedCredentials[0]!.issuer = `${issuer.url}/`));
    const f = await failure((await publishWi()).call);
    expect(f.details).toContain("AADSTS70021: No matching federated identity record found for presented assertion.");
  });

  it("refuses the wrong tenantID, where the app has no service principal (AADSTS700016)", async () => {
    const f = await failure((await publishWi({ tenantId: DEMO_IDS.tenant1 })).call);
    expect(f.details).toContain(
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${DEMO_IDS.tenant1}'.`,
    );
  });

  it("refuses when the role assignment is missing (AuthorizationPermissionMismatch)", async () => {
    change((s) => (s.roleAssignments = []));
    const f = await failure((await publishWi()).call);
    expect(f.details).toContain(
      "AuthorizationPermissionMismatch: This request is not authorized to perform this operation using this permission.",
    );
  });

  it("accepts a role granted on the whole account", async () => {
    change((s) => (s.roleAssignments[0]!.scope = storageAccountId(s.storageAccounts[0]!)));
    await (await publishWi()).call;
  });

  it("refuses a missing container (ContainerNotFound)", async () => {
    const f = await failure((await publishWi({ container: "nope" })).call);
    expect(f.details).toContain("ContainerNotFound: The specified container does not exist.");
  });

  it("uses the AKS cluster's tenant when tenantID is empty, which fails cross-tenant (AADSTS700016)", async () => {
    const f = await failure((await publishWi({ tenantId: "" })).call);
    expect(f.details).toContain(`was not found in the directory '${DEMO_IDS.tenant1}'`);
  });
});

describe("fileshare-nfs against the simulated Azure", () => {
  it("fails like mount.nfs when the account has no approved private endpoint", async () => {
    change((s) => {
      s.storageAccounts.push({
        ...s.storageAccounts[0]!,
        name: "ctvfiles2",
        kind: "FileStorage",
        sku: "Premium_LRS",
        enableHttpsTrafficOnly: false,
        publicNetworkAccess: "Disabled",
        defaultAction: "Deny",
        containers: [],
        shares: [{ name: "aks-share", enabledProtocols: "NFS", quotaGiB: 100 }],
      });
    });
    const target = path.join(root, "pods", `p${n++}`, "mount");
    const f = await failure(
      file.NodePublishVolume({
        volume_id: "rg-storage#ctvfiles2#aks-share##pv",
        target_path: target,
        volume_capability: {
          mount: { fs_type: "", mount_flags: ["nconnect=4"], volume_mount_group: "" },
          access_mode: { mode: "MULTI_NODE_MULTI_WRITER" },
        },
        readonly: false,
        secrets: {},
        publish_context: {},
        volume_context: {
          storageAccount: "ctvfiles2",
          shareName: "aks-share",
          storageEndpointSuffix: "core.windows.net",
          protocol: "nfs",
        },
      }),
    );
    expect(f.code).toBe("INTERNAL");
    expect(f.details).toContain(
      "Output: mount.nfs: access denied by server while mounting ctvfiles2.file.core.windows.net:/ctvfiles2/aks-share (account 'ctvfiles2' has no approved private endpoint for 'file'",
    );
  });
});
