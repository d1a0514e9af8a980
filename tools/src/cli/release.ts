// `ctv release (--dry-run | --registry oci://… --signing-key <file>)`: builds the signed chart, its
// provenance file, the npm tarball and SHA-256 checksums into dist/, and without --dry-run pushes the
// chart. Wires options to tools/src/release.
import { Command } from "@commander-js/extra-typings";
import { type IOStreams, lineWriter, processStreams } from "../output/io.ts";
import { requireCheckout } from "./checkout.ts";

async function runRelease(
  opts: {
    dryRun: boolean;
    registry?: string;
    signingKey?: string;
    caFile?: string;
    out?: string;
  },
  io: IOStreams,
): Promise<void> {
  requireCheckout("release");
  const { release } = await import("../release/release.ts");
  const { CTV_REGISTRY_USERNAME: username, CTV_REGISTRY_PASSWORD: password } = process.env;
  const result = await release({
    dryRun: opts.dryRun,
    registry: opts.registry,
    signingKey: opts.signingKey,
    caFile: opts.caFile,
    outDir: opts.out,
    credentials: username && password ? { username, password } : undefined,
  });
  const say = lineWriter(io.out);
  for (const a of result.artifacts) say(`${a.sha256}  ${a.file}`);
  say(
    `signed by: ${result.signedBy}${result.throwawayKey ? " (throwaway key: this build is not for publishing)" : ""}`,
  );
  if (result.pushed)
    say(`pushed: ${result.pushed.reference} ${result.pushed.digest} (${result.pushed.seconds.toFixed(2)} s)`);
}

/** The dry run as `--help` shows it; a test runs exactly this line in a copy of the checkout. */
export const releaseDryRunExample = "ctv release --dry-run && (cd dist && sha256sum -c SHA256SUMS)";

export function releaseCommand(io: IOStreams = processStreams()) {
  return new Command("release")
    .description(
      "Build the signed chart package and its .prov, the npm tarball, public-key.asc and SHA256SUMS into dist/; without --dry-run, push the chart (with its provenance) to an OCI registry. Registry login: env CTV_REGISTRY_USERNAME and CTV_REGISTRY_PASSWORD.",
    )
    .option(
      "--dry-run",
      "build dist/ only, publish nothing; signs with a throwaway key unless --signing-key is given",
      false,
    )
    .option(
      "--registry <oci://host/path>",
      "OCI repository to push to; helm appends /cross-tenant-volume (required without --dry-run)",
    )
    .option(
      "--signing-key <file>",
      "the release key: gpg --armor --export-secret-keys <key id> (required without --dry-run)",
    )
    .option("--ca-file <file>", "CA that signed the registry's TLS certificate (default: the system's trusted CAs)")
    .option("--out <dir>", "where to write the artifacts (default: dist/)")
    .addHelpText(
      "after",
      `
Examples:
  $ ${releaseDryRunExample}
  $ ctv release --registry oci://registry.example.org/charts --signing-key release-key.asc`,
    )
    .action((opts) => runRelease(opts, io));
}
