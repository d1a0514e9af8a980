// `ctv validate` for one values file: every problem the chart would refuse it for, each with its key path,
// line and column. The rules are the chart's own (shapeFindings and checkValues in values.ts, the source of
// values.schema.json and templates/_validate.tpl); this module only reads the file as Helm does and points
// into it.
import { basename, dirname } from "node:path";
import { type Document, isPair, isScalar, LineCounter, parseAllDocuments, parseDocument, visit } from "yaml";
import { checkValues, type ReleaseContext, type ShapeFinding, shapeFindings, valuesSchema } from "./values.ts";
import { locate } from "./yaml-locate.ts";

export interface FileProblem {
  /** The key path, as in the chart's messages (empty for the file as a whole). */
  path: string;
  /** `<problem>. <how to fix>` */
  message: string;
  /** 1-based; absent when the problem is about no place in the file. */
  line?: number;
  column?: number;
  /** Only errors make a file invalid; a warning is something Helm accepts silently but is likely a mistake. */
  severity: "error" | "warning";
}

export interface FileReport {
  file: string;
  release: string;
  namespace: string;
  valid: boolean;
  problems: FileProblem[];
}

/** Where the release and namespace come from when the file's `# ctv:` header does not say. */
export interface ReleaseOptions {
  release?: string;
  namespace?: string;
  /** The directory convention: <namespace>/<release>.yaml (a -values or .values suffix dropped). */
  fromPath?: boolean;
}

/** What `helm template` uses without --namespace and a release name. */
export const HELM_DEFAULT_RELEASE: ReleaseContext = { name: "release-name", namespace: "default" };
/** The per-file header, e.g. `# ctv: release=data namespace=blob-fuse`, among the comments that open the file. */
export const HEADER_RE = /^#\s*ctv:(.*)$/;

interface Header {
  release?: string;
  namespace?: string;
  line?: number;
  problems: FileProblem[];
}

/** Reads the `# ctv:` line from the comment block at the top of the file. */
export function readHeader(text: string): Header {
  const lines = text.split(/\r?\n/);
  const header: Header = { problems: [] };
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line !== "" && !line.startsWith("#")) break;
    const m = HEADER_RE.exec(line);
    if (!m) continue;
    header.line = i + 1;
    for (const word of (m[1] ?? "").trim().split(/\s+/).filter(Boolean)) {
      const kv = /^(release|namespace)=(\S+)$/.exec(word);
      if (kv) header[kv[1] as "release" | "namespace"] = kv[2];
      else
        header.problems.push({
          path: "",
          message: `the '# ctv:' header holds '${word}'. Write it as '# ctv: release=<name> namespace=<namespace>'`,
          line: i + 1,
          column: raw.indexOf(word) + 1,
          severity: "error",
        });
    }
  }
  return header;
}

/** The release a file is checked for: its header, else the options, else the path convention, else Helm's defaults. */
export function releaseFor(file: string, header: Header, opts: ReleaseOptions): ReleaseContext {
  const fromPath = opts.fromPath
    ? {
        name: basename(file)
          .replace(/\.ya?ml$/, "")
          .replace(/[-.]values$/, ""),
        namespace: basename(dirname(file)),
      }
    : undefined;
  return {
    name: header.release ?? opts.release ?? fromPath?.name ?? HELM_DEFAULT_RELEASE.name,
    namespace: header.namespace ?? opts.namespace ?? fromPath?.namespace ?? HELM_DEFAULT_RELEASE.namespace,
  };
}

/** Checks one values file's text; never throws for what the file holds. */
export function validateValuesText(file: string, text: string, opts: ReleaseOptions = {}): FileReport {
  const header = readHeader(text);
  const release = releaseFor(file, header, opts);
  const report = (problems: FileProblem[]): FileReport => {
    const sorted = [...header.problems, ...problems].sort(
      (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
    );
    const valid = !sorted.some((p) => p.severity === "error");
    return { file, release: release.name, namespace: release.namespace, valid, problems: sorted };
  };
  const { lines, list, syntax } = readYaml(text);
  // Only the first syntax error: what follows a slip is parsed out of step, and Helm names only one too.
  const firstError = syntax.find((p) => p.severity === "error");
  if (firstError) return report([firstError]);
  const problems = syntax;
  if (list.length > 1) {
    const p = lines.linePos(list[1]?.contents?.range?.[0] ?? 0);
    problems.push({
      path: "",
      message: `holds ${list.length} YAML documents. Keep one: Helm 3 reads only the first, Helm 4 all of them`,
      line: p.line,
      column: p.col,
      severity: "error",
    });
  }
  // An empty file is the chart's defaults, as in Helm.
  const doc = list[0] ?? parseDocument("", { version: "1.1" });
  const namespaceLine = header.namespace !== undefined ? header.line : undefined;
  return report([...problems, ...valuesFileProblems(doc, lines, release, namespaceLine)]);
}

/**
 * The file's YAML documents and its syntax errors and warnings, each at its place. YAML 1.1 with merge keys, as
 * Helm's sigs.k8s.io/yaml reads values (yes/no/on/off are booleans, 0777 is octal); a key given twice is not an
 * error there (the last one wins).
 */
function readYaml(text: string): { lines: LineCounter; list: Document[]; syntax: FileProblem[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    version: "1.1",
    merge: true,
    uniqueKeys: false,
    lineCounter: lines,
    prettyErrors: false,
  });
  // A `---` with nothing after it opens an empty document, which Helm ignores.
  const list = (Array.isArray(docs) ? docs : []).filter(
    (d, i) =>
      i === 0 || !(d.contents === null || (isScalar(d.contents) && d.contents.value === null)) || d.errors.length > 0,
  );
  const syntax = list.flatMap((d) =>
    [...d.errors, ...d.warnings].map((e): FileProblem => {
      const p = lines.linePos(e.pos[0]);
      return {
        path: "",
        message: `${e.message.split("\n")[0]?.replace(/\.$/, "")}. Fix the YAML syntax here`,
        line: p.line,
        column: p.col,
        severity: e.name === "YAMLWarning" ? "warning" : "error",
      };
    }),
  );
  return { lines, list, syntax };
}

function valuesFileProblems(
  doc: Document,
  lines: LineCounter,
  release: ReleaseContext,
  namespaceLine: number | undefined,
): FileProblem[] {
  let values: unknown;
  try {
    values = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    // An alias that expands too far (a "billion laughs" file) or that names no anchor.
    return [{ path: "", message: `${(err as Error).message}. Fix the YAML`, line: 1, column: 1, severity: "error" }];
  }
  if (typeof values !== "object" || Array.isArray(values)) {
    return [
      {
        path: "",
        message: `is ${Array.isArray(values) ? "a list" : "a single value"}, but a values file is a map of keys. Start it with keys such as mode: and storage:`,
        line: 1,
        column: 1,
        severity: "error",
      },
    ];
  }
  const shape = shapeFindings(values);
  // A key the file does not hold (an empty value the mode needs) points at its deepest ancestor, else line 1;
  // the namespace is not in the file: at the header that gave it, else nowhere.
  const located = (path: string | readonly PropertyKey[]) => {
    if (path === "namespace") return namespaceLine ? { line: namespaceLine, column: 1 } : {};
    const pos = locate(doc, lines, path);
    return pos ? { line: pos.line, column: pos.column } : { line: 1, column: 1 };
  };
  const problems: FileProblem[] = shape.map((f) => ({
    path: f.path,
    message: f.message,
    ...located(f.keys),
    severity: "error",
  }));
  for (const f of ruleFindings(values as Record<string, unknown>, shape, release))
    problems.push({ ...f, ...located(f.path), severity: "error" });
  return [...problems, ...duplicateKeys(doc, lines)];
}

/**
 * The chart's rules (templates/_validate.tpl), also when the shape has problems: Helm stops at the schema,
 * but a user fixing a file wants both lists at once. Keys with a shape problem are left out (their
 * default stands in) and no rule is reported on them; with a wrong mode no rule applies.
 */
function ruleFindings(values: Record<string, unknown>, shape: ShapeFinding[], release: ReleaseContext) {
  const cut = shape.map((f) => {
    // Drop up to the last map key: removing a list item would shift the next ones.
    const i = f.keys.findLastIndex((k) => typeof k === "string");
    return f.keys.slice(0, i + 1).map(String);
  });
  if (cut.some((keys) => keys.length === 0 || keys[0] === "mode")) return [];
  const repaired = structuredClone(values);
  for (const keys of cut) deleteAt(repaired, keys);
  const parsed = valuesSchema.safeParse(repaired);
  if (!parsed.success) return [];
  const cutPaths = cut.map((keys) => keys.join("."));
  return checkValues(parsed.data, release).filter(
    (f) => !cutPaths.some((p) => f.path === p || f.path.startsWith(`${p}.`) || f.path.startsWith(`${p}[`)),
  );
}

function deleteAt(root: Record<string, unknown>, keys: string[]): void {
  let cur: unknown = root;
  for (const key of keys.slice(0, -1)) {
    if (cur === null || typeof cur !== "object") return;
    cur = (cur as Record<string, unknown>)[key];
  }
  if (cur !== null && typeof cur === "object") delete (cur as Record<string, unknown>)[keys[keys.length - 1] ?? ""];
}

/** Keys written twice in one map: Helm keeps the last silently, which hides the first from a reviewer. */
function duplicateKeys(doc: Document, lines: LineCounter): FileProblem[] {
  const found: FileProblem[] = [];
  visit(doc, {
    Map(_, map, ancestors) {
      const parents = ancestors.flatMap((a) => (isPair(a) && isScalar(a.key) ? [String(a.key.value)] : []));
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        if (seen.has(name) && pair.key.range) {
          const p = lines.linePos(pair.key.range[0]);
          found.push({
            path: [...parents, name].join("."),
            message: `is written twice in the same map; Helm keeps only this last one. Remove one of them`,
            line: p.line,
            column: p.col,
            severity: "warning",
          });
        }
        seen.add(name);
      }
    },
  });
  return found;
}
