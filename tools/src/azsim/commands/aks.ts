// az aks: the managed clusters the bootstrap reads its OIDC issuer and VNet from, and the settings doctor's
// fixes turn on (OIDC issuer, workload identity, the AKS-managed CSI drivers).
import type { AzCommandName } from "../../az/command-surface.ts";
import type { AksCluster } from "../state.ts";
import { AzCommandError, type Ctx, type Handler, group, inRg, must, notFound } from "./context.ts";
import { aksJson } from "../shapes.ts";

function cluster(ctx: Ctx): AksCluster {
  const { subscriptionId } = ctx.arm();
  const rg = must(ctx, "resource-group", "--resource-group/-g");
  const name = must(ctx, "name", "--name/-n");
  const c = ctx.state.aksClusters.find(inRg(subscriptionId, rg, name));
  if (!c) {
    group(ctx, subscriptionId, rg);
    throw notFound("Microsoft.ContainerService/managedClusters", name, rg);
  }
  return c;
}

/**
 * The CLI 2.91 prompts before enabling the blob driver and before disabling any driver (acs
 * managed_cluster_decorator.py, get_blob_driver/get_file_driver: prompt_y_n unless --yes); with no terminal
 * to answer, knack raises NoTTYException and the command fails.
 */
const PROMPTS: Record<string, string> = {
  "enable-blob-driver": "Please make sure there is no open-source Blob CSI driver installed before enabling.",
  "disable-blob-driver":
    "Please make sure there are no existing PVs and PVCs that are used by Blob CSI driver before disabling.",
  "disable-file-driver":
    "Please make sure there are no existing PVs and PVCs that are used by AzureFile CSI driver before disabling.",
};

/** Reads the on/off pair `--enable-<what>` / `--disable-<what>`: true, false, or undefined when neither is given. */
function toggle(ctx: Ctx, what: string): boolean | undefined {
  const on = ctx.args[`enable-${what}`] === true;
  const off = ctx.args[`disable-${what}`] === true;
  if (on && off) throw new AzCommandError(`Cannot specify --enable-${what} and --disable-${what} at the same time.`);
  for (const key of [`enable-${what}`, `disable-${what}`]) {
    const prompt = PROMPTS[key];
    if (prompt && ctx.args[key] === true && ctx.args.yes !== true)
      throw new AzCommandError(
        `The command failed with an unexpected error: NoTTYException. It asks '${prompt}' and no terminal can answer; --yes answers it.`,
      );
  }
  return on ? true : off ? false : undefined;
}

export const AKS_HANDLERS = {
  "aks show"(ctx) {
    return aksJson(cluster(ctx));
  },
  "aks update"(ctx) {
    const c = cluster(ctx);
    const blob = toggle(ctx, "blob-driver");
    const file = toggle(ctx, "file-driver");
    const wi = toggle(ctx, "workload-identity");
    const oidc = ctx.args["enable-oidc-issuer"] === true || c.oidcIssuerEnabled;
    if (wi && !oidc)
      throw new AzCommandError("Enabling workload identity requires enabling OIDC issuer (--enable-oidc-issuer).");
    // The issuer URL of a cluster is its own and stable; AKS shows it once the issuer is on (and it cannot be turned off).
    c.oidcIssuerEnabled = oidc;
    if (wi !== undefined) c.workloadIdentityEnabled = wi;
    if (blob !== undefined) c.blobCsiDriverEnabled = blob;
    if (file !== undefined) c.fileCsiDriverEnabled = file;
    return aksJson(c);
  },
} satisfies Partial<Record<AzCommandName, Handler>>;
