// The command lines doctor prints as fixes. Azure writes come from the bootstrap's own plan (the same
// argv a run would send, placeholders filled with what doctor read), with the tenant's AZURE_CONFIG_DIR;
// kubectl and helm lines carry the kubeconfig and context doctor read the cluster with. All shell-quoted.
import { shellCommand, shellCommandWithEnv } from "../az/shell.ts";
import { plan } from "../bootstrap/plan.ts";
import type { Step } from "../bootstrap/step.ts";
import { helmInstallCommand } from "../bootstrap/values.ts";
import type { Facts, TenantKey } from "./facts.ts";
import { chartArgs } from "../bootstrap/chart-source.ts";

/** `AZURE_CONFIG_DIR=<tenant's cache> az ...`, quoted for sh. */
export function azCommand(f: Facts, t: TenantKey, argv: readonly string[]): string {
  return shellCommandWithEnv({ AZURE_CONFIG_DIR: f.config![t].configDir }, ["az", ...argv]);
}

function planStep(f: Facts, id: string): Step | undefined {
  return plan(f.config!).steps.find((s) => s.id === id);
}

/**
 * The az command the bootstrap's step `id` runs (its create argv, or its `update` argv), with every
 * {{placeholder}} filled from `vars`; undefined when the plan has no such step or a value is unknown.
 */
export function planCommand(
  f: Facts,
  id: string,
  vars: Record<string, string>,
  which: "argv" | "update" = "argv",
): string | undefined {
  const step = planStep(f, id);
  const argv = which === "update" ? step?.update?.argv : step?.argv;
  if (!step || !argv) return undefined;
  // What the fix creates carries the record's creation marker, as the bootstrap's own objects do, so teardown can prove it.
  const creationId = f.creationId();
  if (creationId && vars.creationId === undefined) vars = { ...vars, creationId };
  let missing = false;
  const filled = argv.map((a) =>
    a.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const v = vars[name];
      if (v === undefined) missing = true;
      return v ?? "";
    }),
  );
  return missing ? undefined : azCommand(f, step.tenant, filled);
}

/** `ctv bootstrap --config <file>` (or this side's run): repairs what the bootstrap makes, and changes nothing else. */
export function bootstrapCommand(f: Facts): string {
  if (f.input.side === "storage")
    return shellCommand(["ctv", "bootstrap", "--side", "storage", "--request", f.input.configPath ?? "request.yaml"]);
  const side = f.input.side === "aks" ? ["--side", "aks"] : [];
  return shellCommand(["ctv", "bootstrap", "--config", f.input.configPath ?? "bootstrap.yaml", ...side]);
}

function kubeFlags(f: Facts, contextFlag: string): string[] {
  const k = f.input.kube ?? {};
  return [...(k.kubeconfig ? ["--kubeconfig", k.kubeconfig] : []), ...(k.context ? [contextFlag, k.context] : [])];
}

export function kubectlCommand(f: Facts, argv: readonly string[]): string {
  return shellCommand(["kubectl", ...argv, ...kubeFlags(f, "--context")]);
}

export function helmCommand(f: Facts, argv: readonly string[]): string {
  return shellCommand(["helm", ...argv, ...kubeFlags(f, "--kube-context")]);
}

/**
 * helm upgrade of the release with its own values: recreates objects of the release that were deleted. The chart
 * is the one the config names (chart.reference), else the packaged one.
 */
export function helmUpgradeCommand(f: Facts): string {
  const chart = chartArgs(f.config?.chart);
  return helmCommand(f, ["upgrade", f.release, ...chart, "--namespace", f.namespace, "--reuse-values"]);
}

/**
 * Uninstall then install again with the bootstrap's values file (PV attributes are immutable), as the
 * bootstrap prints it but for this release; undefined without a config.
 */
export function reinstallCommands(f: Facts): string[] | undefined {
  const c = f.config;
  if (!c) return undefined;
  const install = helmInstallCommand(c, c.paths.valuesFile);
  install[2] = f.release;
  return [
    helmCommand(f, ["uninstall", f.release, "--namespace", f.namespace, "--wait"]),
    helmCommand(f, install.slice(1)),
  ];
}

/**
 * `az aks <verb>` of the configured cluster with its tenant's credential cache; the options are the real CLI
 * 2.91's (its command table; the `aks update` lines run in doctor.test.ts). Without a config, the same line
 * with placeholders, for words only.
 */
export function aksCommand(f: Facts, verb: "update" | "upgrade", flags: string[]): string {
  const c = f.config;
  if (!c) return `az aks ${verb} -g <rg> -n <cluster> ${flags.join(" ")}`;
  return azCommand(f, "tenant1", [
    "aks",
    verb,
    "-g",
    c.aks.resourceGroup,
    "-n",
    c.aks.name,
    ...flags,
    ...f.sub("tenant1"),
  ]);
}

export const aksUpdateCommand = (f: Facts, flags: string[]): string => aksCommand(f, "update", flags);
