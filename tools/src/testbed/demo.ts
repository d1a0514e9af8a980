// `npm run demo`: the README's main job without an Azure account. Brings up the local test cluster,
// runs the bootstrap against the simulated Azure, installs all three modes, shows each demo pod's
// hello!, and leaves the cluster running or removes it. With `twoParty`, each mode is bootstrapped by the two
// halves (the AKS side and the storage side, each logged in to its own tenant only) and the call log is checked.
import path from "node:path";
import { getProvider } from "../cluster/create-provider.ts";
import { stopDetachedDriver } from "../csi/host.ts";
import { buildImages } from "../images/build.ts";
import { MODES, type Mode } from "../schema/modes.ts";
import { loadAzState } from "../azsim/state.ts";
import { demoPodName, pvcName, Testbed, type Deployment } from "./testbed.ts";
import { bootstrapTwoParty, crossTenantCalls, testbedSides } from "./two-party.ts";
import { chartReference, demoDir, demoDriverPidFile } from "../paths.ts";
import type { ProviderName } from "../cluster/provider.ts";

export interface DemoOptions {
  provider?: ProviderName;
  modes?: Mode[];
  /** Remove the cluster (and the mock driver) at the end. */
  down: boolean;
  /** Bootstrap through the two halves, each cache logged in to its own tenant only. */
  twoParty?: boolean;
  write: (line: string) => void;
}

export interface DemoRun {
  results: DemoResult[];
  /** Two-party: the calls in which one side's cache named the other's subscription or tenant (none, when right). */
  crossTenantCalls: string[];
}

export interface DemoResult {
  mode: Mode;
  namespace: string;
  pod: string;
  /** The demo pod's log line read back after writing hello! through it. */
  line: string;
  seconds: number;
}

export async function runDemo(opts: DemoOptions): Promise<DemoRun> {
  const say = (line: string) => opts.write(line);
  const provider = getProvider(opts.provider);
  const started = Date.now();
  say(`==> 1/4 bringing up the ${provider.name} test cluster (the first run builds Kubernetes; later runs reuse it)`);
  const info = await provider.up();
  const images = await buildImages();
  await provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
  say(`    cluster ready: node ${info.nodeName}, service-account issuer ${info.serviceAccountIssuer}`);

  // A driver left by an earlier demo holds the sockets; replace it.
  if (await stopDetachedDriver(demoDriverPidFile)) say("    stopped the mock CSI driver of an earlier demo run");
  say(
    "==> 2/4 seeding the simulated Azure (two tenants; AKS with this cluster's OIDC issuer) and starting the mock CSI driver",
  );
  const tb = await Testbed.open({
    kubeconfig: info.kubeconfigPath,
    issuer: info.serviceAccountIssuer,
    nodeName: info.nodeName,
    provider: provider.name,
    workDir: path.join(demoDir, new Date().toISOString().replace(/[:.]/g, "-")),
    log: (l) => say(`    ${l}`),
    ...(opts.down ? {} : { driverPidFile: demoDriverPidFile }),
    ...(opts.twoParty ? { ownTenantOnly: true } : {}),
  });
  const results: DemoResult[] = [];
  let crossTenant: string[] = [];
  try {
    for (const mode of opts.modes ?? MODES) {
      const t0 = Date.now();
      const d = await bootstrapMode(tb, mode, opts.twoParty ?? false, say);
      say(
        `    helm install ${d.release} ${chartReference()} -n ${d.namespace} -f ${path.relative(process.cwd(), d.valuesFile)}`,
      );
      await tb.install(d);
      await tb.waitForPvcBound(d.namespace, pvcName[mode]);
      await tb.waitForPodRunning(d.namespace, demoPodName[mode]);
      say(`    kubectl exec ${demoPodName[mode]} -n ${d.namespace} -- sh -c 'echo hello\\! > /mnt/azure/text'`);
      const { log } = await tb.writeHelloAndReadBack(d);
      const line = log.split("\n").find((l) => l === "hello!") ?? "";
      const seconds = (Date.now() - t0) / 1000;
      say(
        `    kubectl logs ${demoPodName[mode]} -n ${d.namespace}  ->  ${line}   (${seconds.toFixed(1)} s; on the host: ${path.join(d.storageDir, "text")})`,
      );
      results.push({ mode, namespace: d.namespace, pod: demoPodName[mode], line, seconds });
    }
    if (opts.twoParty) crossTenant = checkCallLog(tb, say);
  } finally {
    if (opts.down) await tb.close();
  }
  say(`==> 4/4 done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (opts.down) {
    say("    removing the cluster");
    await provider.down();
  } else {
    say(`    the cluster keeps running: KUBECONFIG=${info.kubeconfigPath}`);
    const flag = provider.name === "kind" ? " --provider kind" : "";
    say(`    remove it with: npm run cluster -- down${flag} (it stops the demo's mock CSI driver too)`);
  }
  return { results, crossTenantCalls: crossTenant };
}

async function bootstrapMode(
  tb: Testbed,
  mode: Mode,
  twoParty: boolean,
  say: (l: string) => void,
): Promise<Deployment> {
  if (!twoParty) {
    say(`==> 3/4 ${mode}: bootstrap against the simulated Azure`);
    return tb.bootstrap(mode);
  }
  say(`==> 3/4 ${mode}: bootstrap by two organisations, each logged in to its own tenant only`);
  return bootstrapTwoParty(tb, mode, {
    say: (l) => say(`    ${l}`),
    detail: (side, l) => say(`      ${side} side: ${l.replace(/\n/g, `\n      ${side} side: `)}`),
  });
}

/** The simulated Azure's call log, per side: which subscriptions each cache called; lists any cross-tenant call. */
function checkCallLog(tb: Testbed, say: (l: string) => void): string[] {
  const calls = loadAzState(tb.statePath).calls;
  const sides = testbedSides(tb);
  for (const s of sides) {
    const own = calls.filter((c) => path.resolve(c.configDir) === path.resolve(s.configDir));
    say(`    call log: ${own.length} az calls from the ${s.side} side's login (${s.configDir})`);
  }
  const bad = crossTenantCalls(calls, sides);
  if (bad.length === 0) say("    call log: neither side's login called the other's subscription or tenant");
  for (const b of bad) say(`    call log: CROSS-TENANT CALL ${b}`);
  return bad;
}
