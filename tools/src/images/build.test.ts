import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { run } from "../exec/run.ts";
import { buildImage, busyboxFiles, parseLdd, pauseRecipe, recipeHash, type ImageRecipe } from "./build.ts";
import { sandboxImage } from "./names.ts";

describe("parseLdd", () => {
  it("returns resolved libraries and the loader, skipping the vdso", () => {
    const out = [
      "\tlinux-vdso.so.1 (0x00007ffd)",
      "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f1)",
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f3)",
    ].join("\n");
    expect(parseLdd(out)).toEqual([
      "/lib/x86_64-linux-gnu/libstdc++.so.6",
      "/lib/x86_64-linux-gnu/libc.so.6",
      "/lib64/ld-linux-x86-64.so.2",
    ]);
  });
});

describe("image recipes", () => {
  it("gives every busybox applet a symlink and an unprivileged user", () => {
    const files = busyboxFiles(["sh", "cat", "busybox"]);
    expect(files).toContainEqual({ to: "/bin/sh", symlink: "busybox" });
    expect(files.some((f) => f.to === "/bin/busybox" && "from" in f)).toBe(true);
    expect(files.filter((f) => f.to === "/bin/busybox")).toHaveLength(1);
    expect(files.find((f) => f.to === "/etc/passwd")).toMatchObject({
      content: expect.stringContaining("nobody:x:65534"),
    });
  });

  it("names the sandbox image exactly as containerd asks for it", () => {
    expect(pauseRecipe().name).toBe(sandboxImage);
  });

  it("changes the hash when a file's content changes, and only then", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-img-"));
    try {
      writeFileSync(path.join(dir, "f"), "one");
      const recipe: ImageRecipe = {
        name: "localhost/x:1",
        files: [{ to: "/f", from: path.join(dir, "f") }],
        config: { entrypoint: ["/f"] },
      };
      const first = recipeHash(recipe);
      expect(recipeHash(recipe)).toBe(first);
      writeFileSync(path.join(dir, "f"), "two");
      expect(recipeHash(recipe)).not.toBe(first);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("buildImage with umoci and skopeo", () => {
  it("writes a docker-archive tagged with the image name, and reuses it on the next build", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-img-"));
    try {
      const archive = await buildImage(pauseRecipe(), run, dir);
      const manifest = JSON.parse((await run("tar", ["-xOf", archive, "manifest.json"])).stdout) as Array<{
        RepoTags: string[];
        Layers: string[];
      }>;
      expect(manifest).toHaveLength(1);
      expect(manifest[0]!.RepoTags).toEqual([sandboxImage]);
      const before = readFileSync(archive);
      const again = await buildImage(
        pauseRecipe(),
        async () => {
          throw new Error("a cached image must not run umoci or skopeo");
        },
        dir,
      );
      expect(again).toBe(archive);
      expect(readFileSync(again).equals(before)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
