// Where a key of a values file sits: the `yaml` package keeps each node's offsets, so a key path from a
// finding ("persistentVolume.mountOptions[1]", or zod's segments) maps to a line and column of the file.
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";

export interface Position {
  line: number;
  column: number;
}

/** The node a key path ends at: the key of a map entry (the line a reader looks for), or a list item. */
interface Hit {
  node: Node;
  /** false when the path runs past what the file holds (a missing key): the deepest ancestor found. */
  exact: boolean;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null ? "null" : String(key.value);
  return undefined;
}

/** Walks `node` along string `path` (dots and [n]; a map key may itself hold dots, so each key is tried as a prefix). */
function walkText(node: unknown, path: string, anchor: Node | undefined): Hit | undefined {
  if (path === "") return anchor ? { node: anchor, exact: true } : undefined;
  const rest = path.startsWith(".") ? path.slice(1) : path;
  const index = /^\[(\d+)\]/.exec(rest);
  if (index && isSeq(node)) {
    const item = node.items[Number(index[1])];
    if (!item || typeof item !== "object") return anchor ? { node: anchor, exact: false } : undefined;
    return walkText(item, rest.slice(index[0].length), item as Node);
  }
  if (isMap(node)) {
    // Longest key first: "a.b" beats "a" when both fit.
    const pairs = [...node.items].sort((x, y) => (keyText(y.key)?.length ?? 0) - (keyText(x.key)?.length ?? 0));
    let partial: Hit | undefined;
    for (const pair of pairs) {
      const key = keyText(pair.key);
      if (key === undefined || !rest.startsWith(key)) continue;
      const after = rest.slice(key.length);
      if (after !== "" && !after.startsWith(".") && !after.startsWith("[")) continue;
      const hit = walkText(pair.value, after, pair.key as Node);
      if (hit?.exact) return hit;
      partial ??= hit;
    }
    if (partial) return partial;
  }
  return anchor ? { node: anchor, exact: false } : undefined;
}

/** Walks `node` along key segments (zod's issue path). */
function walkKeys(node: unknown, keys: readonly PropertyKey[], anchor: Node | undefined): Hit | undefined {
  const [first, ...rest] = keys;
  if (first === undefined) return anchor ? { node: anchor, exact: true } : undefined;
  if (isSeq(node) && typeof first === "number") {
    const item = node.items[first];
    if (item && typeof item === "object") return walkKeys(item, rest, item as Node);
  }
  if (isMap(node)) {
    // The last entry wins, as in Helm, when a key is written twice.
    const pair = node.items.findLast((p) => keyText(p.key) === String(first));
    if (pair) return walkKeys(pair.value, rest, pair.key as Node);
  }
  return anchor ? { node: anchor, exact: false } : undefined;
}

/**
 * The line and column (1-based) of the key a finding names, or of its deepest ancestor in the file when
 * the key is missing (an empty value the mode needs); undefined when not even the first key is there.
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: string | readonly PropertyKey[],
): (Position & { exact: boolean }) | undefined {
  const hit =
    typeof path === "string" ? walkText(doc.contents, path, undefined) : walkKeys(doc.contents, path, undefined);
  const offset = hit?.node.range?.[0];
  if (!hit || offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return { line, column: col, exact: hit.exact };
}
