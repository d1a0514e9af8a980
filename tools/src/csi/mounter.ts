// Bind mounts and unmounts on the host, through mount(8)/umount(8) via the project's one command
// runner, and mount-point checks from /proc/self/mountinfo.
import { readFileSync } from "node:fs";
import path from "node:path";
import { run as defaultRun, type Runner } from "../exec/run.ts";

export interface Mounter {
  isMountPoint(target: string): boolean;
  bindMount(source: string, target: string, readOnly: boolean): Promise<void>;
  unmount(target: string): Promise<void>;
}

/** Decodes the octal escapes mountinfo uses for spaces, tabs, newlines and backslashes. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function mountPoints(mountinfo = readFileSync("/proc/self/mountinfo", "utf8")): Set<string> {
  const points = new Set<string>();
  for (const line of mountinfo.split("\n")) {
    const fields = line.split(" ");
    if (fields.length > 4) points.add(unescapeMountPath(fields[4]!));
  }
  return points;
}

export function hostMounter(run: Runner = defaultRun): Mounter {
  return {
    isMountPoint(target) {
      return mountPoints().has(path.resolve(target));
    },
    async bindMount(source, target, readOnly) {
      await run("mount", ["--bind", source, target], { timeoutMs: 30_000 });
      // A read-only bind needs a second, remounting call; the first one ignores "ro".
      if (readOnly) await run("mount", ["-o", "remount,bind,ro", target], { timeoutMs: 30_000 });
    },
    async unmount(target) {
      await run("umount", [target], { timeoutMs: 30_000 });
    },
  };
}
