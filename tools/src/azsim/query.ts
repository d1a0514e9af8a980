// The small JMESPath subset the fake az answers `--query` with: dotted fields, [n] indexes,
// [] / [*] projections and length(@). Anything else fails loudly so a test notices.
export class QueryError extends Error {}

type Token = { kind: "field"; name: string } | { kind: "index"; index: number } | { kind: "project" };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|\[(-?\d+)\]|\[\*?\]|(\.))/y;
  let pos = 0;
  while (pos < expr.length) {
    re.lastIndex = pos;
    const m = re.exec(expr);
    if (!m)
      throw new QueryError(
        `unsupported --query syntax at '${expr.slice(pos)}' (the simulated az supports a.b, [0], [] and length(@) only)`,
      );
    if (m[1] !== undefined) tokens.push({ kind: "field", name: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: "index", index: Number(m[2]) });
    else if (m[3] === undefined) tokens.push({ kind: "project" });
    pos = re.lastIndex;
  }
  return tokens;
}

function apply(value: unknown, tokens: Token[]): unknown {
  if (tokens.length === 0) return value;
  const [head, ...rest] = tokens as [Token, ...Token[]];
  if (head.kind === "field") {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
    const next = (value as Record<string, unknown>)[head.name];
    return apply(next === undefined ? null : next, rest);
  }
  if (!Array.isArray(value)) return null;
  if (head.kind === "index") {
    const item = value[head.index < 0 ? value.length + head.index : head.index];
    return apply(item === undefined ? null : item, rest);
  }
  return value.map((v) => apply(v, rest)).filter((v) => v !== null);
}

export function evaluateQuery(expr: string, data: unknown): unknown {
  const trimmed = expr.trim();
  const len = /^length\((.*)\)$/.exec(trimmed);
  if (len) {
    const inner = len[1]!.trim() === "@" ? data : evaluateQuery(len[1]!, data);
    if (Array.isArray(inner) || typeof inner === "string") return inner.length;
    if (inner && typeof inner === "object") return Object.keys(inner).length;
    throw new QueryError("length() needs an array, object or string");
  }
  if (trimmed === "@") return data;
  return apply(data, tokenize(trimmed));
}
