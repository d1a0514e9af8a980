// Prints how long the chart's tooling takes: warm `ensureHelm`, `helm template` per mode under
// Helm 4 and Helm 3 (median of N runs), and zod's parseValues. Run: npm run bench:chart [-- N]
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { HelmClient } from "../src/helm/helm.ts";
import { ensureHelm, type HelmMajor } from "../src/helm/install.ts";
import { parseValues } from "../src/schema/values.ts";
import yaml from "js-yaml";
import { readFileSync } from "node:fs";
import { MODES } from "../src/schema/modes.ts";
import { CHART_DIR } from "../src/paths.ts";

const runs = Number(process.argv[2] ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

for (const major of ["4", "3"] as HelmMajor[]) {
  await ensureHelm(major);
  const warm = await time(() => ensureHelm(major));
  const helm = new HelmClient({ helmPath: await ensureHelm(major) });
  const version = await helm.version();
  console.log(`helm ${version}: ensureHelm("${major}") warm ${warm.toFixed(2)} ms`);
  for (const mode of MODES) {
    const valuesFiles = [join(CHART_DIR, "ci", `${mode}-values.yaml`)];
    const samples: number[] = [];
    for (let i = 0; i < runs; i++)
      samples.push(await time(() => helm.template(CHART_DIR, { releaseName: "data", namespace: "ns", valuesFiles })));
    console.log(`  helm template ${mode}: median ${median(samples).toFixed(0)} ms over ${runs} runs`);
  }
}

const values = MODES.map((mode) => yaml.load(readFileSync(join(CHART_DIR, "ci", `${mode}-values.yaml`), "utf8")));
const n = 1000;
const t = await time(() => {
  for (let i = 0; i < n; i++) parseValues(values[i % values.length]);
});
console.log(`parseValues: ${((t * 1000) / n).toFixed(1)} µs per call over ${n} calls`);
