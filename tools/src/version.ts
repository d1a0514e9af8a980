// Comparing the loose version strings Azure and the tools print ("1.34", "v1.34.4", "2.5.4"): semver after coerce.
import semver from "semver";

/** Whether `actual` is at least `min`. Missing parts count as 0 and a leading "v" or a suffix is ignored; an unreadable `actual` is not. */
export function versionAtLeast(actual: string, min: string): boolean {
  const have = semver.coerce(actual);
  const want = semver.coerce(min);
  if (!want) throw new Error(`'${min}' is not a version`);
  return have !== null && semver.gte(have, want);
}
