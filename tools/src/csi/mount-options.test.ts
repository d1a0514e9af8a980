// Which mount options pass and which fail, and with whose words (the driver's or blobfuse2's).
import { describe, expect, it } from "vitest";
import { CsiError } from "./grpc-errors.ts";
import { checkBlobfuseOptions, checkNfsOptions, tokenizeBlobfuseOptions } from "./mount-options.ts";

function refusal(fn: () => void): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof CsiError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("blobfuse2 options", () => {
  it("keeps '-o option' pairs together when splitting", () => {
    expect(tokenizeBlobfuseOptions(["-o allow_other", "--cache-size-mb=1000 -o ro"])).toEqual([
      "-o allow_other",
      "--cache-size-mb=1000",
      "-o ro",
    ]);
  });

  it("accepts every option of the seed article and the AKS docs", () => {
    expect(() =>
      checkBlobfuseOptions([
        "-o allow_other",
        "--file-cache-timeout-in-seconds=120",
        "--use-attr-cache=true",
        "--cancel-list-on-mount-seconds=10",
        "-o attr_timeout=120",
        "-o entry_timeout=120",
        "-o negative_timeout=120",
        "--log-level=LOG_WARNING",
        "--cache-size-mb=1000",
        "-o gid=1000",
        "--use-adls=true",
      ]),
    ).not.toThrow();
  });

  it("passes driver-controlled flags from a PersistentVolume with a warning, and refuses them on inline volumes", () => {
    for (const f of ["--block-cache-path=/x", "--passphrase=p", "--secure-config"]) {
      expect(checkBlobfuseOptions([f])).toEqual([
        expect.stringContaining(`mount option ${f.split("=")[0]} is passed to blobfuse2 as given`),
      ]);
      expect(refusal(() => checkBlobfuseOptions([f], { inline: true })).code).toBe("InvalidArgument");
    }
  });

  it("knows the flags of the blobfuse2 release the driver pins: newer flags are unknown to older blobfuse2", () => {
    expect(() => checkBlobfuseOptions(["--cap-iops=100"], { blobfuse2: "2.5.4" })).not.toThrow();
    expect(refusal(() => checkBlobfuseOptions(["--cap-iops=100"], { blobfuse2: "2.5.2" })).message).toBe(
      "Mount failed with error: exit status 1, output: Error: unknown flag: --cap-iops",
    );
    expect(refusal(() => checkBlobfuseOptions(["--preload"], { blobfuse2: "2.4.1" })).message).toContain(
      "unknown flag: --preload",
    );
  });

  it("knows flags by the blobfuse2 tag that added them: --log-compress 2.5.5, --log-goroutine-id 2.5.2, --cleanup-on-start and --disable-kernel-cache 2.5.0", () => {
    // blob v1.27.9 pins 2.5.4: no --log-compress yet.
    expect(refusal(() => checkBlobfuseOptions(["--log-compress=true"], { blobfuse2: "2.5.4" })).message).toBe(
      "Mount failed with error: exit status 1, output: Error: unknown flag: --log-compress",
    );
    expect(() => checkBlobfuseOptions(["--log-compress=true"], { blobfuse2: "2.5.5" })).not.toThrow();
    expect(refusal(() => checkBlobfuseOptions(["--log-goroutine-id"], { blobfuse2: "2.5.1" })).message).toContain(
      "unknown flag: --log-goroutine-id",
    );
    expect(() => checkBlobfuseOptions(["--log-goroutine-id"], { blobfuse2: "2.5.2" })).not.toThrow();
    for (const flag of ["--cleanup-on-start", "--disable-kernel-cache"]) {
      expect(refusal(() => checkBlobfuseOptions([flag], { blobfuse2: "2.4.1" })).message).toContain(
        `unknown flag: ${flag}`,
      );
      expect(() => checkBlobfuseOptions([flag], { blobfuse2: "2.5.0" })).not.toThrow();
    }
  });

  it("fails --required-free-space-mb, which blobfuse2 registers on mountgen1/mountv1 only, never on mount", () => {
    expect(refusal(() => checkBlobfuseOptions(["--required-free-space-mb=100"], { blobfuse2: "2.5.4" })).message).toBe(
      "Mount failed with error: exit status 1, output: Error: unknown flag: --required-free-space-mb",
    );
  });

  it("reads --log-level as blobfuse2's LogLevel.Parse does: any case, or an integer", () => {
    for (const level of ["log_debug", "Log_Warning", "LOG_TRACE", "7", "0"])
      expect(() => checkBlobfuseOptions([`--log-level=${level}`])).not.toThrow();
    expect(refusal(() => checkBlobfuseOptions(["--log-level=debug"])).message).toContain(
      'mount option --log-level has invalid value "debug"',
    );
  });

  it("fails an unknown shorthand flag with cobra's wording", () => {
    expect(refusal(() => checkBlobfuseOptions(["-x"]))).toEqual({
      code: "Internal",
      message: "Mount failed with error: exit status 1, output: Error: unknown shorthand flag: 'x' in -x",
    });
  });

  it("refuses an invalid log level with the allowed values", () => {
    expect(refusal(() => checkBlobfuseOptions(["--log-level=LOG_LOUD"])).message).toBe(
      'mount option --log-level has invalid value "LOG_LOUD": allowed values are LOG_OFF, LOG_CRIT, LOG_ERR, LOG_WARNING, LOG_INFO, LOG_TRACE, LOG_DEBUG',
    );
  });

  it("refuses a CLI flag smuggled through -o", () => {
    expect(refusal(() => checkBlobfuseOptions(["-o --tmp-path=/etc"])).message).toBe(
      'mount option "-o --tmp-path=/etc": -o values must be FUSE options, not CLI flags',
    );
  });

  it("passes FUSE options blobfuse2 ignores, and fails a non-numeric uid", () => {
    expect(() => checkBlobfuseOptions(["-o default_permissions", "-o nosuid"])).not.toThrow();
    expect(refusal(() => checkBlobfuseOptions(["-o uid=root"])).message).toContain("failed to parse uid");
  });
});

describe("the drivers' published examples (deploy/example in blob v1.27.9 and azurefile v1.34.8)", () => {
  it("accepts every blobfuse2 option their PersistentVolumes and StorageClasses use", () => {
    const used = [
      "-o allow_other",
      "--file-cache-timeout-in-seconds=120",
      "--file-cache-timeout-in-seconds=0",
      "--use-attr-cache=true",
      "--cancel-list-on-mount-seconds=10",
      "--cancel-list-on-mount-seconds=60",
      "-o attr_timeout=120",
      "-o entry_timeout=120",
      "-o negative_timeout=120",
      "--log-level=LOG_WARNING",
      "--log-level=LOG_DEBUG",
      "--cache-size-mb=1000",
      "-o ro",
    ];
    expect(checkBlobfuseOptions(used, { blobfuse2: "2.5.4" })).toEqual([]);
  });
  it("accepts every NFS option they use, for both drivers", () => {
    const args = (o: string) => `-t nfs -o ${o} src dst`;
    expect(checkNfsOptions("blob.csi.azure.com", ["nconnect=4"], args).warnings).toEqual([]);
    expect(checkNfsOptions("file.csi.azure.com", ["nconnect=4", "noresvport", "actimeo=30"], args).warnings).toEqual(
      [],
    );
  });
});

describe("NFS options", () => {
  const args = (o: string) => `-t nfs -o ${o} src dst`;
  it("accepts the seed's options for both drivers", () => {
    expect(() => checkNfsOptions("file.csi.azure.com", ["nconnect=4", "noresvport", "actimeo=30"], args)).not.toThrow();
    expect(() => checkNfsOptions("blob.csi.azure.com", ["nconnect=4"], args)).not.toThrow();
  });

  it("merges vers with the blob driver's options like util.JoinMountOptions (sorted, de-duplicated) and warns", () => {
    const out = checkNfsOptions("blob.csi.azure.com", ["nfsvers=3", "nconnect=4", "nconnect=4"], args);
    expect(out.options).toEqual(["nconnect=4", "nfsvers=3", "sec=sys,vers=3,nolock"]);
    expect(out.warnings).toEqual([
      expect.stringContaining('mount option "nfsvers=3" is merged with the driver\'s own sec=sys,vers=3,nolock'),
    ]);
  });

  it("fails like mount.nfs when the merged list ends on an NFS version the endpoint does not speak", () => {
    expect(refusal(() => checkNfsOptions("blob.csi.azure.com", ["vers=4"], args)).message).toBe(
      "mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs -o sec=sys,vers=3,nolock,vers=4 src dst\nOutput: mount.nfs: Protocol not supported",
    );
    expect(refusal(() => checkNfsOptions("file.csi.azure.com", ["vers=4.2"], args)).message).toContain(
      "Protocol not supported",
    );
    expect(checkNfsOptions("file.csi.azure.com", ["vers=4.1"], args).options).toEqual([
      "vers=4,minorversion=1,sec=sys",
      "vers=4.1",
      "noresvport",
      "actimeo=30",
    ]);
  });

  it("sorts comma-joined entries whole, as util.JoinMountOptions does, and still checks each option", () => {
    const out = checkNfsOptions("file.csi.azure.com", ["noresvport,nfsvers=3"], args);
    expect(out.options).toEqual(["noresvport,nfsvers=3", "vers=4,minorversion=1,sec=sys", "actimeo=30"]);
    expect(out.warnings).toHaveLength(1);
    expect(refusal(() => checkNfsOptions("file.csi.azure.com", ["noresvport,nconect=4"], args)).message).toContain(
      "an incorrect mount option was specified",
    );
  });

  it("fails a comma-joined entry that sorts after the blob driver's own and ends on NFSv4.1", () => {
    // "timeo=600,nfsvers=4.1" sorts after "sec=sys,vers=3,nolock" as one string: mount.nfs sees 4.1 last.
    expect(refusal(() => checkNfsOptions("blob.csi.azure.com", ["timeo=600,nfsvers=4.1"], args)).message).toBe(
      "mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs -o sec=sys,vers=3,nolock,timeo=600,nfsvers=4.1 src dst\nOutput: mount.nfs: Protocol not supported",
    );
    // Split into two entries, "nfsvers=4.1" sorts before the driver's own, whose vers=3 wins.
    expect(checkNfsOptions("blob.csi.azure.com", ["timeo=600", "nfsvers=4.1"], args).options).toEqual([
      "nfsvers=4.1",
      "sec=sys,vers=3,nolock",
      "timeo=600",
    ]);
  });

  it("appends azurefile's noresvport and actimeo=30 after the sort unless an entry starts with them", () => {
    expect(checkNfsOptions("file.csi.azure.com", ["nconnect=4"], args).options).toEqual([
      "nconnect=4",
      "vers=4,minorversion=1,sec=sys",
      "noresvport",
      "actimeo=30",
    ]);
    expect(checkNfsOptions("file.csi.azure.com", ["actimeo=5", "noresvport"], args).options).toEqual([
      "actimeo=5",
      "noresvport",
      "vers=4,minorversion=1,sec=sys",
    ]);
    expect(checkNfsOptions("blob.csi.azure.com", ["nconnect=4"], args).options).toEqual([
      "nconnect=4",
      "sec=sys,vers=3,nolock",
    ]);
  });

  it("strips encryptInTransit on file shares only", () => {
    expect(checkNfsOptions("file.csi.azure.com", ["encryptInTransit", "nconnect=4"], args)).toMatchObject({
      encryptInTransit: true,
      options: ["nconnect=4", "vers=4,minorversion=1,sec=sys", "noresvport", "actimeo=30"],
    });
    expect(refusal(() => checkNfsOptions("blob.csi.azure.com", ["encryptInTransit"], args)).message).toContain(
      "an incorrect mount option was specified",
    );
  });
});
