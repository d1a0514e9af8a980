// `ctv validate FILE...`: checks chart values files as the chart would (the same rules as values.schema.json and
// templates/_validate.tpl), every problem of every file with its line. The work is in tools/src/schema/validate.ts;
// this file only wires options to it. Exit codes: 0 every file valid, 1 a file invalid, 2 bad usage or unreadable input
// (INVALID_INPUT in the table of exit-codes.ts).
import { Command, Option } from "@commander-js/extra-typings";
import { type IOStreams, processStreams } from "../output/io.ts";
import { writeJson } from "../output/json.ts";
import { VALIDATE_REPORT } from "../output/schemas.ts";
import { setExitCode } from "./command.ts";
import { exitCodesHelp } from "./exit-codes.ts";

export function validateCommand(io: IOStreams = processStreams()) {
  return new Command("validate")
    .description(
      "Check chart values files the way the chart will (schema and the chart's own rules): every problem of every file, with its key path, line and column.",
    )
    .argument("<files...>", "values files, directories (every .yaml/.yml below) or quoted globs ('volumes/**/*.yaml')")
    .option(
      "-r, --release <name>",
      "the Helm release name the files are installed as (a file's '# ctv:' header wins over it; without it: --from-path, else release-name as in helm template)",
    )
    .option(
      "-n, --namespace <ns>",
      "the namespace the files are installed in (a file's '# ctv:' header wins over it; without it: --from-path, else default as in helm template)",
    )
    .option(
      "--from-path",
      "without a header or --release/--namespace: the namespace is the file's directory, the release its name (<namespace>/<release>.yaml)",
      false,
    )
    .addOption(
      new Option("-f, --format <format>", "output: text, json, or github (annotations on the pull request)")
        .choices(["text", "json", "github"] as const)
        .default("text" as const),
    )
    .addHelpText(
      "after",
      `
A file's own header wins over the options, e.g. a first line: # ctv: release=data namespace=blob-fuse

${exitCodesHelp("validate")}

Examples:
  $ ctv validate values.yaml --release data --namespace blob-fuse
  $ ctv validate 'volumes/**/*.yaml' --from-path --format github   # in a GitHub Actions job`,
    )
    .action(async (files, opts) => {
      const { expandInputs, validateFiles, formatReports } = await import("../schema/validate.ts");
      const reports = validateFiles(expandInputs(files), {
        ...(opts.release ? { release: opts.release } : {}),
        ...(opts.namespace ? { namespace: opts.namespace } : {}),
        fromPath: opts.fromPath,
      });
      const valid = reports.every((r) => r.valid);
      if (opts.format === "json") writeJson(io.out, VALIDATE_REPORT, { valid, files: reports });
      else io.out.write(`${formatReports(reports, opts.format)}\n`);
      setExitCode(valid ? 0 : 1);
    });
}
