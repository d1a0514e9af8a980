// `ctv validate FILE...`: which files the arguments name (files, directories, globs), each file checked by
// validate-file.ts, and the ways to print the result for people (text) and pull requests (GitHub annotations).
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { globSync } from "tinyglobby";
import { ToolError } from "../errors.ts";
import { type FileReport, type ReleaseOptions, validateValuesText } from "./validate-file.ts";

export const FORMATS = ["text", "json", "github"] as const;
export type Format = (typeof FORMATS)[number];

const GLOB_CHARS = /[*?[\]{}]/;

/** The files an argument names: itself, every .yaml/.yml below a directory, or a glob's matches (sorted). */
function expandOne(arg: string, cwd: string): string[] {
  const stat = statSync(resolve(cwd, arg), { throwIfNoEntry: false });
  if (stat?.isFile()) return [arg];
  if (stat?.isDirectory())
    return globSync(["**/*.yaml", "**/*.yml"], { cwd: resolve(cwd, arg), onlyFiles: true })
      .sort()
      .map((f) => `${arg.replace(/\/+$/, "")}/${f}`);
  if (GLOB_CHARS.test(arg))
    return globSync(arg, { cwd, onlyFiles: true, expandDirectories: false, absolute: isAbsolute(arg) }).sort();
  return [];
}

/** Every file the arguments name, each once; INVALID_INPUT (exit 2) naming each argument that names none. */
export function expandInputs(args: readonly string[], cwd = process.cwd()): string[] {
  if (args.length === 0)
    throw new ToolError(
      "INVALID_INPUT",
      "ctv validate: no values file given.",
      "Name the files, directories or globs to check, e.g. ctv validate 'volumes/**/*.yaml'.",
    );
  const files: string[] = [];
  const empty: string[] = [];
  for (const arg of args) {
    const found = expandOne(arg, cwd);
    if (found.length === 0) empty.push(arg);
    for (const f of found) if (!files.includes(f)) files.push(f);
  }
  if (empty.length > 0)
    throw new ToolError(
      "INVALID_INPUT",
      `ctv validate: ${empty.map((a) => `'${a}'`).join(", ")} ${empty.length === 1 ? "names" : "name"} no file (not a file, a directory holding .yaml files, or a glob that matches one).`,
      "Check the path from the current directory; quote a glob so ctv expands it (with ** for subdirectories).",
    );
  return files;
}

/** Reads every file first: one that cannot be read is bad input (exit 2), not an invalid values file. */
export function validateFiles(files: readonly string[], opts: ReleaseOptions): FileReport[] {
  const texts = files.map((file) => {
    try {
      return readFileSync(file, "utf8");
    } catch (err) {
      throw new ToolError(
        "INVALID_INPUT",
        `ctv validate: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`,
        "Check that the file exists and is readable.",
        { cause: err },
      );
    }
  });
  return files.map((file, i) => validateValuesText(file, texts[i] ?? "", opts));
}

const where = (r: FileReport, p: { line?: number; column?: number }) =>
  p.line === undefined ? r.file : `${r.file}:${p.line}:${p.column ?? 1}`;
const said = (p: { path: string; message: string }) => `${p.path === "" ? "" : `${p.path}: `}${p.message}.`;

function summary(reports: readonly FileReport[]): string {
  const invalid = reports.filter((r) => !r.valid).length;
  const errors = reports.flatMap((r) => r.problems).filter((p) => p.severity === "error").length;
  return invalid === 0
    ? `${reports.length} values ${reports.length === 1 ? "file" : "files"} valid.`
    : `${invalid} of ${reports.length} values ${reports.length === 1 ? "file" : "files"} invalid, ${errors} ${errors === 1 ? "problem" : "problems"}.`;
}

/** `file:line:col: path: message.` per problem, a line per valid file, and a summary. */
function text(reports: readonly FileReport[]): string {
  const lines = reports.flatMap((r) => {
    const release = `(release ${r.release}, namespace ${r.namespace})`;
    if (r.problems.length === 0) return [`${r.file}: valid ${release}`];
    return [
      ...r.problems.map((p) => `${where(r, p)}: ${p.severity === "warning" ? "warning: " : ""}${said(p)}`),
      `${r.file}: ${r.valid ? "valid, with warnings" : "invalid"} ${release}`,
    ];
  });
  return [...lines, summary(reports)].join("\n");
}

/** GitHub's workflow-command escaping: data escapes %, CR and LF; properties also ':' and ','. */
const escapeData = (s: string) => s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
const escapeProperty = (s: string) => escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");

/** One `::error file=…,line=…,col=…,title=…::message` per problem (a PR shows it on the line), then the summary. */
function github(reports: readonly FileReport[]): string {
  const lines = reports.flatMap((r) =>
    r.problems.map((p) => {
      const props = [`file=${escapeProperty(r.file)}`];
      if (p.line !== undefined) props.push(`line=${p.line}`, `col=${p.column ?? 1}`);
      props.push(`title=${escapeProperty(`ctv validate: ${p.path || "file"}`)}`);
      return `::${p.severity} ${props.join(",")}::${escapeData(said(p))}`;
    }),
  );
  return [...lines, summary(reports)].join("\n");
}

/** The report for people (text) or pull requests (github); JSON goes through the command's JSON writer. */
export function formatReports(reports: readonly FileReport[], format: Exclude<Format, "json">): string {
  return format === "github" ? github(reports) : text(reports);
}
