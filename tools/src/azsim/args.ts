// Command-line parsing for the fake az: each command declares the options it accepts (the same names
// the real Azure CLI has); anything else is rejected with the real CLI's wording and exit code 2.
import { GLOBAL_OPTS, type OptSpec } from "../az/command-surface.ts";

export class AzUsageError extends Error {
  readonly exitCode = 2;
}

export type ParsedArgs = Record<string, string | string[] | boolean | undefined>;

const BOOL_WORDS = new Set(["true", "false", "t", "f", "yes", "no", "y", "n", "1", "0"]);

export function parseBool(value: string | string[] | boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  const v = (Array.isArray(value) ? (value[0] ?? "") : value).toLowerCase();
  if (["true", "t", "yes", "y", "1"].includes(v)) return true;
  if (["false", "f", "no", "n", "0"].includes(v)) return false;
  throw new AzUsageError(`argument value '${v}' is not a boolean (use true or false)`);
}

/** Parses `tokens` against `specs`; keys of the result are the canonical long names without dashes. */
export function parseArgs(tokens: string[], specs: OptSpec[]): ParsedArgs {
  const all = [...specs, ...GLOBAL_OPTS];
  const byName = new Map<string, OptSpec>();
  for (const s of all) for (const n of s.names) byName.set(n, s);
  const out: ParsedArgs = {};
  const unknown: string[] = [];
  const isOption = (t: string | undefined) => t !== undefined && /^-{1,2}[A-Za-z]/.test(t);
  for (let i = 0; i < tokens.length; i++) {
    const raw = tokens[i]!;
    const eq = raw.startsWith("--") ? raw.indexOf("=") : -1;
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    const spec = byName.get(name);
    if (!spec) {
      unknown.push(raw);
      continue;
    }
    const key = spec.names[0]!.replace(/^-+/, "");
    const arity = spec.arity ?? "one";
    let value: string | string[] | boolean;
    if (arity === "flag") {
      value = true;
    } else if (eq > 0) {
      value = arity === "many" ? [raw.slice(eq + 1)] : raw.slice(eq + 1);
    } else if (arity === "optional-bool") {
      const next = tokens[i + 1];
      if (next !== undefined && BOOL_WORDS.has(next.toLowerCase())) {
        value = next;
        i++;
      } else value = "true";
    } else if (arity === "many") {
      const values: string[] = [];
      while (i + 1 < tokens.length && !isOption(tokens[i + 1])) values.push(tokens[++i]!);
      if (values.length === 0)
        throw new AzUsageError(`argument ${spec.names.join("/")}: expected at least one argument`);
      value = values;
    } else {
      const next = tokens[i + 1];
      if (next === undefined || (isOption(next) && !/^-\d/.test(next)))
        throw new AzUsageError(`argument ${spec.names.join("/")}: expected one argument`);
      value = next;
      i++;
    }
    if (
      spec.choices &&
      typeof value === "string" &&
      !spec.choices.some((c) => c.toLowerCase() === value.toString().toLowerCase())
    ) {
      throw new AzUsageError(
        `argument ${spec.names.join("/")}: invalid choice: '${value}' (choose from ${spec.choices.map((c) => `'${c}'`).join(", ")})`,
      );
    }
    out[key] = value;
  }
  if (unknown.length > 0) throw new AzUsageError(`unrecognized arguments: ${unknown.join(" ")}`);
  const missing = specs.filter((s) => s.required && out[s.names[0]!.replace(/^-+/, "")] === undefined);
  if (missing.length > 0)
    throw new AzUsageError(`the following arguments are required: ${missing.map((s) => s.names.join("/")).join(", ")}`);
  return out;
}

export function str(args: ParsedArgs, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || typeof v === "boolean") return undefined;
  return Array.isArray(v) ? v.join(" ") : v;
}
