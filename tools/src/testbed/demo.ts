// `npm run demo`: the README's main job without an Azure account. Brings up the local test cluster,
// runs the bootstrap against the simulated Azure, installs all three modes, shows each demo pod's
// hello!, and leaves the cluster running or removes it.
import path from "node:path";
import { getProvider } from "../cluster/create-provider.ts";
import { stopDetachedDriver } from "../csi/host.ts";
import { buildImages } from "../images/build.ts";
import { MODES, type Mode } from "../schema/modes.ts";
import { demoPodName, pvcName, Testbed } from "./testbed.ts";
import { chartReference, demoDir, demoDriverPidFile } from "../paths.ts";
import type { ProviderName } from "../cluster/provider.ts";

export interface DemoOptions {
  provider?: ProviderName;
  modes?: Mode[];
  /** Remove the cluster (and the mock driver) at the end. */
  down: boolean;
  write: (line: string) => void;
}

export interface DemoResult {
  mode: Mode;
  namespace: string;
  pod: string;
  /** The demo pod's log line read back after writing hello! through it. */
  line: string;
  seconds: number;
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult[]> {
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
  });
  const results: DemoResult[] = [];
  try {
    for (const mode of opts.modes ?? MODES) {
      const t0 = Date.now();
      say(`==> 3/4 ${mode}: bootstrap against the simulated Azure`);
      const d = await tb.bootstrap(mode);
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
  return results;
}
