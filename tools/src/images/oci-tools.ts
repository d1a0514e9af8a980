// Wrappers for the two image tools the offline images are made with: umoci (builds an OCI image
// layout from a directory tree) and skopeo (turns it into a tagged docker-archive for import).
import { ToolError } from "../errors.ts";
import { run as defaultRun, type Runner } from "../exec/run.ts";

export interface ImageConfig {
  entrypoint: string[];
  cmd?: string[];
  user?: string;
  workingDir?: string;
  env?: Record<string, string>;
}

function notInstalled(tool: string, err: unknown): never {
  if (err instanceof ToolError && err.code === "NOT_INSTALLED") {
    throw new ToolError(
      "NOT_INSTALLED",
      `'${tool}' is needed to build the offline images and is not installed.`,
      `Install it: apt-get install ${tool} (or run npm run cluster -- up, which installs it).`,
      { cause: err },
    );
  }
  throw err;
}

/** The OCI name of this machine's architecture (images hold host binaries, so they match it). */
export function ociArchitecture(arch: string = process.arch): string {
  return (
    ({ x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x" } as Record<string, string>)[arch] ??
    arch
  );
}

export class Umoci {
  constructor(private readonly run: Runner = defaultRun) {}

  private umoci(args: string[]) {
    return this.run("umoci", args, { timeoutMs: 600_000 }).catch((err: unknown) => notInstalled("umoci", err));
  }

  /** A fresh layout at `layoutDir` with one image `tag` whose single layer is the tree at `rootfs`. */
  async build(layoutDir: string, tag: string, rootfs: string, config: ImageConfig): Promise<void> {
    const ref = `${layoutDir}:${tag}`;
    await this.umoci(["init", "--layout", layoutDir]);
    await this.umoci(["new", "--image", ref]);
    // --rootless stores the files as root-owned in the layer without needing to chown the source.
    await this.umoci(["insert", "--rootless", "--image", ref, rootfs, "/"]);
    const args = ["config", "--image", ref, "--clear=config.entrypoint", "--clear=config.cmd"];
    for (const part of config.entrypoint) args.push(`--config.entrypoint=${part}`);
    for (const part of config.cmd ?? []) args.push(`--config.cmd=${part}`);
    if (config.user) args.push(`--config.user=${config.user}`);
    if (config.workingDir) args.push(`--config.workingdir=${config.workingDir}`);
    for (const [k, v] of Object.entries(config.env ?? {})) args.push(`--config.env=${k}=${v}`);
    args.push("--os=linux", `--architecture=${ociArchitecture()}`);
    await this.umoci(args);
  }
}

export class Skopeo {
  constructor(private readonly run: Runner = defaultRun) {}

  /** Writes a docker-archive that carries `name` as its tag, which `ctr import` and `kind load` both keep. */
  async toDockerArchive(layoutDir: string, tag: string, archive: string, name: string): Promise<void> {
    await this.run(
      "skopeo",
      ["--insecure-policy", "copy", "--quiet", `oci:${layoutDir}:${tag}`, `docker-archive:${archive}:${name}`],
      {
        timeoutMs: 600_000,
      },
    ).catch((err: unknown) => notInstalled("skopeo", err));
  }
}
