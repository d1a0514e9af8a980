// `npm run cluster -- up|down|status|images|diagnostics [--provider local|kind]`: manages the test cluster.
import { parseArgs } from "node:util";
import { z } from "zod";
import { ToolError, runMain } from "../errors.ts";
import { getProvider, providerNames } from "../cluster/provider.ts";
import { buildImages } from "../images/build.ts";
import { stopDetachedDriver } from "../csi/host.ts";
import { demoDriverPidFile } from "../testbed/demo.ts";

const argsSchema = z.strictObject({
  command: z.enum(["up", "down", "status", "images", "diagnostics"]),
  provider: z.enum(providerNames).optional(),
});

export function parseClusterArgs(argv: string[]): z.infer<typeof argsSchema> {
  const { values, positionals } = parseArgs({ args: argv, options: { provider: { type: "string" } }, allowPositionals: true, strict: true });
  const parsed = argsSchema.safeParse({ command: positionals[0], provider: values.provider });
  if (!parsed.success || positionals.length !== 1) {
    throw new ToolError(
      "INVALID_INPUT",
      `Cannot understand 'cluster ${argv.join(" ")}'.`,
      "Usage: npm run cluster -- up|down|status|images|diagnostics [--provider local|kind] (default provider: env CTV_CLUSTER_PROVIDER, else local).",
    );
  }
  return parsed.data;
}

async function main(): Promise<number> {
  const args = parseClusterArgs(process.argv.slice(2));
  const provider = getProvider(args.provider);
  switch (args.command) {
    case "up": {
      const info = await provider.up();
      const images = await buildImages();
      await provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
      console.log(info.kubeconfigPath);
      return 0;
    }
    case "down":
      // The demo leaves its mock CSI driver running beside a cluster it keeps; it goes with the cluster.
      if (await stopDetachedDriver(demoDriverPidFile)) console.error("==> stopped the mock CSI driver left by npm run demo");
      await provider.down();
      return 0;
    case "status": {
      const status = await provider.status();
      console.log(JSON.stringify(status, null, 2));
      return status.running ? 0 : 3;
    }
    case "images": {
      const images = await buildImages();
      await provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
      console.log(JSON.stringify(images, null, 2));
      return 0;
    }
    case "diagnostics":
      console.log(await provider.diagnostics());
      return 0;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) runMain(main);
