// OpenPGP keys for `helm package --sign`, through GnuPG in a private home directory: a throwaway
// key for dry runs and tests, or the release key given as a file. Helm reads legacy keyring files,
// so the secret key is exported to `secring.gpg` and the public key to `pubring.gpg`.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { installPackages } from "../toolchain/apt.ts";
import { ToolError } from "../errors.ts";
import { run as defaultRunner, type Runner } from "../exec/run.ts";

export interface SigningKey {
  /** The key's user ID, which `helm package --key` selects it by. */
  name: string;
  fingerprint: string;
  /** Legacy keyring with the secret key, for `helm package --sign --keyring`. */
  secring: string;
  /** Keyring with only the public key, for `helm verify` / `helm install --verify --keyring`. */
  pubring: string;
  /** The public key, ASCII-armored, to publish beside the chart. */
  publicKeyAsc: string;
  /** Stops the gpg-agent this home started and deletes the home (secret key included). */
  dispose(): Promise<void>;
}

const GPG_PROGRAMS = ["/usr/bin/gpg", "/usr/bin/gpg-agent", "/usr/bin/gpgconf"];

/** Installs Debian's gnupg when gpg is missing (as root), else says how to. */
export async function ensureGpg(
  options: {
    runner?: Runner;
    log?: (line: string) => void;
    isRoot?: () => boolean;
    exists?: (p: string) => boolean;
  } = {},
): Promise<void> {
  const exists = options.exists ?? existsSync;
  if (GPG_PROGRAMS.every((p) => exists(p))) return;
  const isRoot = (options.isRoot ?? (() => process.getuid?.() === 0))();
  if (!isRoot) {
    throw new ToolError(
      "NOT_INSTALLED",
      "Signing the chart needs GnuPG (gpg, gpg-agent), which is not installed.",
      "Install it: sudo apt-get install gnupg",
    );
  }
  options.log?.("==> installing the Debian package gnupg (signs the chart)");
  await installPackages(["gnupg"], options.runner ?? defaultRunner);
}

interface Home {
  dir: string;
  gpg: (args: string[], input?: string) => Promise<string>;
}

function gpgHome(dir: string, runner: Runner): Home {
  const home = join(dir, "gnupg");
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const gpg = async (args: string[], input?: string) =>
    (
      await runner("gpg", ["--batch", "--yes", "--no-tty", ...args], {
        env: { GNUPGHOME: home },
        timeoutMs: 120_000,
        ...(input !== undefined ? { input } : {}),
      })
    ).stdout;
  return { dir: home, gpg };
}

/** Exports the one secret key of `home` into legacy keyring files and describes it. */
async function describe(home: Home, dir: string, runner: Runner): Promise<SigningKey> {
  const listing = await home.gpg(["--with-colons", "--list-secret-keys"]);
  const lines = listing.split("\n").map((l) => l.split(":"));
  const fingerprint = lines.find((f) => f[0] === "fpr")?.[9];
  const uid = lines.find((f) => f[0] === "uid")?.[9]?.replace(/\\x3a/g, ":");
  const secretKeys = lines.filter((f) => f[0] === "sec").length;
  if (!fingerprint || !uid || secretKeys !== 1) {
    throw new ToolError(
      "INVALID_INPUT",
      `The signing key must hold exactly one secret key with a user ID (found ${secretKeys}).`,
      "Export just the release key: gpg --armor --export-secret-keys <key id> > release-key.asc",
    );
  }
  const secring = join(dir, "secring.gpg");
  const pubring = join(dir, "pubring.gpg");
  const publicKeyAsc = join(dir, "public-key.asc");
  await home.gpg(["--output", secring, "--export-secret-keys", fingerprint]);
  await home.gpg(["--output", pubring, "--export", fingerprint]);
  await home.gpg(["--armor", "--output", publicKeyAsc, "--export", fingerprint]);
  const dispose = async (): Promise<void> => {
    await runner("gpgconf", ["--kill", "gpg-agent"], {
      env: { GNUPGHOME: home.dir },
      allowFailure: true,
      timeoutMs: 30_000,
    }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  return { name: uid, fingerprint, secring, pubring, publicKeyAsc, dispose };
}

/** A new RSA signing key without a passphrase that expires in a day, in `dir` (created, 0700). */
export async function throwawayKey(dir: string, options: { runner?: Runner; name?: string } = {}): Promise<SigningKey> {
  const runner = options.runner ?? defaultRunner;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const home = gpgHome(dir, runner);
  const name = options.name ?? "cross-tenant-volume dry-run signing key (throwaway)";
  const params = [
    "%no-protection",
    "Key-Type: RSA",
    "Key-Length: 3072",
    "Key-Usage: sign",
    `Name-Real: ${name}`,
    "Expire-Date: 1d",
    "%commit",
    "",
  ].join("\n");
  await home.gpg(["--gen-key"], params);
  return describe(home, dir, runner);
}

/** The release key from a file (`gpg --armor --export-secret-keys`, no passphrase), imported into a private home in `dir`. */
export async function importKey(file: string, dir: string, options: { runner?: Runner } = {}): Promise<SigningKey> {
  const runner = options.runner ?? defaultRunner;
  if (!existsSync(file))
    throw new ToolError(
      "NOT_FOUND",
      `The signing key file ${file} does not exist.`,
      "Pass the file written by gpg --armor --export-secret-keys <key id>.",
    );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const home = gpgHome(dir, runner);
  try {
    await home.gpg(["--import", file]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new ToolError(
      "INVALID_INPUT",
      `gpg could not import the signing key ${file}.`,
      "Pass an OpenPGP secret key without a passphrase (gpg --armor --export-secret-keys <key id>).",
      { cause: err },
    );
  }
  return describe(home, dir, runner);
}
