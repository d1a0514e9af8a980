// `az --query` for the fake az: full JMESPath through the `jmespath` package, as the real CLI uses
// (jmespath.py there, the JavaScript port here). A malformed query fails naming the query.
import jmespath from "jmespath";

export class QueryError extends Error {}

export function evaluateQuery(expr: string, data: unknown): unknown {
  try {
    return jmespath.search(data ?? null, expr);
  } catch (e) {
    throw new QueryError(`'${expr}': ${e instanceof Error ? e.message : String(e)}`);
  }
}
