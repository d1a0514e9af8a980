// Commands the tools print for a user to paste (login, helm install, fixes in hints): every word is
// quoted for a POSIX shell, so a path or name holding `$(...)`, quotes, spaces or newlines comes out inert.
// shell.test.ts runs random words through sh and compares.

/** Characters that mean nothing to sh inside a word that is not the command's first (`=` only matters there). */
const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word: bare when every character is inert, else in single quotes (inside which sh expands nothing). */
export function shellWord(word: string): string {
  if (BARE.test(word)) return word;
  // A single quote cannot appear inside single quotes: close, add an escaped one, reopen.
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** A command line from argv, each word quoted as needed. The first word must be a command name. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellWord).join(" ");
}

/** `NAME=value command...`, with the value quoted (the name is a fixed identifier). */
export function shellCommandWithEnv(env: Record<string, string>, argv: readonly string[]): string {
  const vars = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not an environment variable name: ${k}`);
    return `${k}=${shellWord(v)}`;
  });
  return [...vars, shellCommand(argv)].join(" ");
}
