// `ctv teardown --side storage --request request.<mode>.yaml`: the storage owner's teardown (issue 19). No config:
// it is built from the request, as the storage side's bootstrap builds it (sides.ts), with the storage side's record
// beside the request and az's own login (tenant 2 only). It revokes what this side granted (the role assignment, the
// service principal it created, the approval of the endpoint connection) and deletes storage only with
// --delete-storage, by the same proofs as every teardown (teardown.ts and resources/*.delete.ts).
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createAz } from "../az/az.ts";
import { ToolError } from "../errors.ts";
import { lineWriter, processStreams } from "../output/io.ts";
import { confirmByName, previewTeardown, type RunTeardownOptions } from "./index.ts";
import { withConfigLock } from "./lock.ts";
import { openRecord } from "./record.ts";
import { connectionRevocation } from "./resources/endpoint-connection.delete.ts";
import { storageSideConfig, storageSidePaths } from "./sides.ts";
import { readRequestFile, storageSideLogin } from "./storage-side.ts";
import { type TeardownOptions, type TeardownResult, teardown } from "./teardown.ts";
import { checkOutputFile } from "./values.ts";

export async function runStorageTeardown(requestFile: string, opts: RunTeardownOptions = {}): Promise<TeardownResult> {
  const request = readRequestFile(requestFile);
  const { recordFile } = storageSidePaths(requestFile, request);
  if (!existsSync(recordFile))
    throw new ToolError(
      "PRECONDITION",
      `Nothing was created by this side for ${requestFile}: the storage side's record ${recordFile} does not exist, so teardown has nothing it could prove is this side's (it deletes only what that record holds).`,
      "Pass the request your ctv bootstrap --side storage ran with, from the folder where it wrote storage-record.<account>.<mode>.json (the record is kept beside the request).",
    );
  const login = storageSideLogin({ ...process.env, ...opts.env });
  const config = storageSideConfig(request, {
    configDir: login,
    recordFile,
    requestFile,
  });
  const io = opts.io ?? processStreams();
  const write = opts.write ?? lineWriter(opts.json ? io.err : io.out);
  const az = createAz({
    ...(opts.runner ? { runner: opts.runner } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  const base: Omit<TeardownOptions, "record"> = {
    az,
    side: "storage",
    deleteStorage: opts.deleteStorage ?? false,
    confirmDeleteStorage: confirmByName(config, opts, io),
    ...(opts.alsoDeleteForeignData ? { alsoDeleteForeignData: opts.alsoDeleteForeignData } : {}),
    ...(request.privateEndpoint ? { revoke: async (ctx) => [await connectionRevocation(config, ctx)] } : {}),
    write,
  };
  if (opts.dryRun)
    return previewTeardown(config, { ...base, record: openRecord(config) }, opts.json ? io.out : undefined);
  checkOutputFile(recordFile, "the storage side's record");
  const lock = { command: "teardown", configPath: resolve(requestFile), write };
  return withConfigLock(
    recordFile,
    {
      ...lock,
      ...(opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {}),
    },
    async () => {
      const record = openRecord(config);
      write(
        `Tearing down what the storage side created and granted for ${request.mode} (record: ${recordFile}; tenant 2 only).`,
      );
      return teardown(config, { ...base, record });
    },
  );
}
