// Builds the offline images (pause, demo shell, mock CSI driver) from files already on this
// machine into docker-archives under .cache/images, named by a hash of their contents so a warm
// run finds them and builds nothing.
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { ToolError } from "../errors.ts";
import { run as defaultRun, type Runner } from "../exec/run.ts";
import { ensureImageTools } from "../toolchain/prereqs.ts";
import { bundleEntry } from "./bundle.ts";
import { csiMockImage, demoImage, sandboxImage } from "./names.ts";
import { Skopeo, Umoci, type ImageConfig } from "./oci-tools.ts";
import { cacheDir, repoRoot } from "../paths.ts";

/** One entry of an image's root filesystem. */
export type ImageFile =
  | { to: string; from: string; mode?: number }
  | { to: string; content: string; mode?: number }
  | { to: string; symlink: string }
  | { to: string; dir: true; mode?: number };

export interface ImageRecipe {
  /** Full image name with tag, as pods refer to it. */
  name: string;
  files: ImageFile[];
  config: ImageConfig;
}

/** Bump when the way images are assembled changes, so cached archives are rebuilt. */
const recipeFormat = "1";
const busybox = "/bin/busybox";

/** Parses `ldd` output into the absolute paths of the libraries and loader a binary needs. */
export function parseLdd(output: string): string[] {
  const paths = output
    .split("\n")
    .map((line) => /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1])
    .filter((p): p is string => p !== undefined);
  return [...new Set(paths)];
}

/** A busybox root filesystem: the static binary, one symlink per applet, and minimal user files. */
export function busyboxFiles(applets: readonly string[]): ImageFile[] {
  return [
    { to: "/bin/busybox", from: busybox, mode: 0o755 },
    ...applets.filter((a) => a !== "busybox").map((a) => ({ to: `/bin/${a}`, symlink: "busybox" })),
    { to: "/etc/passwd", content: "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n" },
    { to: "/etc/group", content: "root:x:0:\nnogroup:x:65534:\n" },
    { to: "/tmp", dir: true, mode: 0o1777 },
    { to: "/root", dir: true, mode: 0o700 },
  ];
}

export async function busyboxApplets(run: Runner = defaultRun): Promise<string[]> {
  if (!existsSync(busybox)) {
    throw new ToolError(
      "NOT_INSTALLED",
      `${busybox} is missing; the offline images are built from it.`,
      "Install it: apt-get install busybox-static",
    );
  }
  return (await run(busybox, ["--list"], { timeoutMs: 10_000 })).stdout
    .split("\n")
    .filter((a) => /^[\w.[-]+$/.test(a) && a !== "[" && a !== "[[");
}

export function pauseRecipe(): ImageRecipe {
  return {
    name: sandboxImage,
    files: [
      { to: "/bin/busybox", from: busybox, mode: 0o755 },
      { to: "/bin/sh", symlink: "busybox" },
      { to: "/bin/sleep", symlink: "busybox" },
    ],
    // A sandbox only has to hold the pod's namespaces open and exit promptly on SIGTERM.
    config: {
      entrypoint: ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"],
      user: "65535:65535",
    },
  };
}

export function demoRecipe(applets: readonly string[]): ImageRecipe {
  return {
    name: demoImage,
    files: busyboxFiles(applets),
    config: { entrypoint: [], cmd: ["/bin/sh"], user: "65534:65534", workingDir: "/tmp" },
  };
}

/**
 * Node.js (the host's binary and the libraries `ldd` lists) plus a bundled entry under /app, a
 * busybox shell, and any `extraFiles` the app needs at run time (helper binaries, for example).
 */
export async function nodeAppRecipe(
  name: string,
  bundleDir: string,
  applets: readonly string[],
  run: Runner = defaultRun,
  extraFiles: ImageFile[] = [],
): Promise<ImageRecipe> {
  const node = realpathSync(process.execPath);
  const libs = parseLdd((await run("ldd", [node], { timeoutMs: 10_000, allowFailure: true })).stdout);
  return {
    name,
    files: [
      ...busyboxFiles(applets),
      { to: "/usr/bin/node", from: node, mode: 0o755 },
      ...libs.map((lib) => ({ to: lib, from: realpathSync(lib), mode: 0o755 })),
      { to: "/app", from: bundleDir },
      ...extraFiles,
    ],
    config: { entrypoint: ["/usr/bin/node", "/app/main.mjs"], env: { PATH: "/usr/bin:/bin" } },
  };
}

function hashPath(hash: ReturnType<typeof createHash>, source: string): void {
  const stat = lstatSync(source);
  if (stat.isDirectory()) {
    for (const entry of readdirSorted(source)) {
      hash.update(`${entry}\0`);
      hashPath(hash, path.join(source, entry));
    }
  } else {
    hash.update(readFileSync(source));
  }
}

function readdirSorted(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** A hash of everything that ends up in the image: file contents, paths, modes and config. */
export function recipeHash(recipe: ImageRecipe): string {
  const hash = createHash("sha256");
  hash.update(`${recipeFormat}\0${recipe.name}\0${JSON.stringify(recipe.config)}\0`);
  for (const file of recipe.files) {
    hash.update(JSON.stringify({ ...file, from: undefined }));
    if ("from" in file) hashPath(hash, file.from);
  }
  return hash.digest("hex").slice(0, 16);
}

function materialize(recipe: ImageRecipe, rootfs: string): void {
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(rootfs, { recursive: true });
  for (const file of recipe.files) {
    const target = path.join(rootfs, file.to);
    mkdirSync(path.dirname(target), { recursive: true });
    if ("symlink" in file) symlinkSync(file.symlink, target);
    else if ("dir" in file) mkdirSync(target, { recursive: true });
    else if ("content" in file) writeFileSync(target, file.content);
    else if (lstatSync(file.from).isDirectory()) cpSync(file.from, target, { recursive: true });
    else copyFileSync(file.from, target);
    if (!("symlink" in file) && file.mode !== undefined) chmodSync(target, file.mode);
  }
}

function archiveFileName(recipe: ImageRecipe, hash: string): string {
  return `${recipe.name.replace(/^.*\//, "").replace(/[^\w.-]+/g, "-")}-${hash}.tar`;
}

/** Builds one image's docker-archive unless an archive with the same content hash exists. */
export async function buildImage(
  recipe: ImageRecipe,
  run: Runner = defaultRun,
  dir = path.join(cacheDir, "images"),
): Promise<string> {
  const hash = recipeHash(recipe);
  const archive = path.join(dir, archiveFileName(recipe, hash));
  if (existsSync(archive)) return archive;
  const work = path.join(dir, "work", hash);
  rmSync(work, { recursive: true, force: true });
  materialize(recipe, path.join(work, "rootfs"));
  const tag = recipe.name.split(":").at(-1) ?? "latest";
  await new Umoci(run).build(path.join(work, "oci"), tag, path.join(work, "rootfs"), recipe.config);
  const partial = `${archive}.partial`;
  rmSync(partial, { force: true });
  await new Skopeo(run).toDockerArchive(path.join(work, "oci"), tag, partial, recipe.name);
  renameSync(partial, archive);
  rmSync(work, { recursive: true, force: true });
  return archive;
}

export const csiEntry = path.join(repoRoot, "tools", "src", "cli", "csi-driver-main.ts");
/** The gRPC definitions csi/protos.ts loads from beside itself; in the bundle, beside main.mjs. */
export const csiProtoDir = path.join(repoRoot, "tools", "src", "csi", "proto");

export interface BuiltImages {
  pause: string;
  demo: string;
  /** Absent until the mock CSI driver's entry (tools/src/cli/csi-driver-main.ts) exists. */
  csi: string | undefined;
}

/** Builds (or finds cached) all offline images and returns their archive paths. */
export async function buildImages(
  options: { run?: Runner; only?: Array<keyof BuiltImages> } = {},
): Promise<BuiltImages> {
  const run = options.run ?? defaultRun;
  const want = (k: keyof BuiltImages) => !options.only || options.only.includes(k);
  await ensureImageTools({ run });
  const applets = await busyboxApplets(run);
  const pause = await buildImage(pauseRecipe(), run);
  const demo = want("demo") ? await buildImage(demoRecipe(applets), run) : "";
  let csi: string | undefined;
  if (want("csi") && existsSync(csiEntry)) {
    const bundleDir = path.join(cacheDir, "images", "bundles", "csi");
    await bundleEntry(csiEntry, bundleDir, { assets: [csiProtoDir] });
    csi = await buildImage(await nodeAppRecipe(csiMockImage, bundleDir, applets, run), run);
  }
  return { pause, demo, csi };
}

export interface ImageSetMember {
  name: string;
  config: ImageConfig;
}

/**
 * Builds several images that share one root filesystem (one layer), differing only in their
 * config, into one docker-archive each. A runtime that loads them stores the layer once, which
 * matters for a large shared binary (the kind node's control-plane images share the kube binary).
 */
export async function buildImageSet(
  files: ImageFile[],
  members: ImageSetMember[],
  run: Runner = defaultRun,
  dir = path.join(cacheDir, "images"),
): Promise<string[]> {
  const hashes = members.map((m) =>
    recipeHash({ name: `${m.name}\0${members.map((o) => o.name).join(",")}`, files, config: m.config }),
  );
  const archives = members.map((m, i) =>
    path.join(dir, archiveFileName({ name: m.name, files, config: m.config }, hashes[i] ?? "")),
  );
  if (archives.every((a) => existsSync(a))) return archives;
  const work = path.join(dir, "work", `set-${hashes[0]}`);
  rmSync(work, { recursive: true, force: true });
  const [first, ...rest] = members;
  if (first === undefined) return [];
  materialize({ name: first.name, files, config: first.config }, path.join(work, "rootfs"));
  const layout = path.join(work, "oci");
  const tagOf = (i: number) => `m${i}`;
  await new Umoci(run).build(layout, tagOf(0), path.join(work, "rootfs"), first.config);
  for (const [i, member] of rest.entries()) {
    const args = [
      "config",
      "--image",
      `${layout}:${tagOf(0)}`,
      "--tag",
      tagOf(i + 1),
      "--clear=config.entrypoint",
      "--clear=config.cmd",
    ];
    for (const part of member.config.entrypoint) args.push(`--config.entrypoint=${part}`);
    for (const part of member.config.cmd ?? []) args.push(`--config.cmd=${part}`);
    if (member.config.user) args.push(`--config.user=${member.config.user}`);
    if (member.config.workingDir) args.push(`--config.workingdir=${member.config.workingDir}`);
    for (const [k, v] of Object.entries(member.config.env ?? {})) args.push(`--config.env=${k}=${v}`);
    await run("umoci", args, { timeoutMs: 600_000 });
  }
  for (const [i, member] of members.entries()) {
    const archive = archives[i] ?? "";
    const partial = `${archive}.partial`;
    rmSync(partial, { force: true });
    await new Skopeo(run).toDockerArchive(layout, tagOf(i), partial, member.name);
    renameSync(partial, archive);
  }
  rmSync(work, { recursive: true, force: true });
  return archives;
}
