// `npm run release -- --dry-run | --registry oci://…`: builds the signed chart, its provenance file,
// the npm tarball and SHA-256 checksums into dist/, and without --dry-run pushes the chart.
import { parseArgs as parseNodeArgs } from "node:util";
import { ToolError, runMain } from "../errors.ts";
import { release, type ReleaseOptions } from "../release/release.ts";

export const USAGE = `Usage: npm run release -- (--dry-run | --registry oci://<host>/<path> --signing-key <file>) [options]

Builds the signed chart package and its .prov, the npm tarball, public-key.asc and SHA256SUMS into dist/.
Without --dry-run it then pushes the chart (with its provenance) to the registry.

Options:
  --dry-run              build dist/ only, publish nothing; signs with a throwaway key unless --signing-key is given
  --registry <oci://…>   OCI repository to push to; helm appends /cross-tenant-volume (required without --dry-run)
  --signing-key <file>   the release key: gpg --armor --export-secret-keys <key id> (required without --dry-run)
  --ca-file <file>       CA that signed the registry's TLS certificate (default: the system's trusted CAs)
  --out <dir>            where to write the artifacts (default: dist/)
  -h, --help             this help

Environment: CTV_REGISTRY_USERNAME and CTV_REGISTRY_PASSWORD log in to the registry before the push.

Example:
  npm run release -- --dry-run && (cd dist && sha256sum -c SHA256SUMS)`;

export type ParsedArgs = { help: true } | ({ help: false } & Pick<ReleaseOptions, "dryRun" | "registry" | "signingKey" | "caFile" | "outDir">);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseNodeArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        "dry-run": { type: "boolean", default: false },
        registry: { type: "string" },
        "signing-key": { type: "string" },
        "ca-file": { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    throw new ToolError("INVALID_INPUT", (err as Error).message.split("\n")[0] ?? String(err), "See npm run release -- --help");
  }
  if (values.help) return { help: true };
  return {
    help: false,
    dryRun: values["dry-run"] ?? false,
    registry: values.registry,
    signingKey: values["signing-key"],
    caFile: values["ca-file"],
    outDir: values.out,
  };
}

runMain(async () => {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { CTV_REGISTRY_USERNAME: username, CTV_REGISTRY_PASSWORD: password } = process.env;
  const result = await release({ ...args, credentials: username && password ? { username, password } : undefined });
  for (const a of result.artifacts) process.stdout.write(`${a.sha256}  ${a.file}\n`);
  process.stdout.write(`signed by: ${result.signedBy}${result.throwawayKey ? " (throwaway key: this build is not for publishing)" : ""}\n`);
  if (result.pushed) process.stdout.write(`pushed: ${result.pushed.reference} ${result.pushed.digest} (${result.pushed.seconds.toFixed(2)} s)\n`);
});
