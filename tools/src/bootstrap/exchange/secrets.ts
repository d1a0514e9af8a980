// Shapes of secrets that must never travel in a request or response file: account keys, SAS tokens, connection
// strings, JWTs (an access token or a federated token). The storage side can refuse a file that holds one.

/** Each shape, named; a match is reported by name only (the secret itself is never echoed). */
export const SECRET_SHAPES: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: "connection string AccountKey=", pattern: /AccountKey\s*=/i },
  { name: "connection string SharedAccessSignature=", pattern: /SharedAccessSignature\s*=/i },
  { name: "connection string DefaultEndpointsProtocol=", pattern: /DefaultEndpointsProtocol\s*=/i },
  { name: "SAS signature sig=", pattern: /[?&"\s]sig=[^&"\s]+/i },
  { name: "SAS token sv=...&se=", pattern: /\bsv=\d{4}-\d{2}-\d{2}&/i },
  { name: "JWT (eyJ...)", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/ },
  { name: "88-character base64 key", pattern: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==/ },
  {
    name: "client secret (Entra, ~ in its 4th character)",
    pattern: /(?<![A-Za-z0-9])[A-Za-z0-9_-]{3}8Q~[A-Za-z0-9_.~-]{31,34}/,
  },
  { name: "PEM private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/** The names of the secret shapes found in `text` (empty: none). */
export function secretShapesIn(text: string): string[] {
  return SECRET_SHAPES.filter((s) => s.pattern.test(text)).map((s) => s.name);
}
