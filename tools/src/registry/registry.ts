// A real OCI registry for tests and release rehearsals: the distribution registry on 127.0.0.1 only,
// with TLS from a CA made for this run and htpasswd (bcrypt) basic auth, as a production registry has.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";
import bcrypt from "bcryptjs";
import yaml from "js-yaml";
import { run as defaultRunner, type Runner } from "../exec/run.ts";
import { giveUp, pollUntil } from "../wait/poll.ts";
import { ensureRegistry } from "./install.ts";
import { ToolError } from "../errors.ts";

export interface LocalRegistry {
  /** host:port, e.g. 127.0.0.1:41234 */
  host: string;
  /** The CA that signed the registry's certificate (for helm's --ca-file). */
  caFile: string;
  username: string;
  password: string;
  /** The registry's own log (stderr), for diagnosing a failed test. */
  logFile: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A fresh directory: certificates, htpasswd, config and storage go there. */
  workDir: string;
  runner?: Runner;
  log?: (line: string) => void;
}

/** A port that is free on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl; valid for a day. */
export async function makeCertificates(
  dir: string,
  runner: Runner = defaultRunner,
): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const f = (name: string) => join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await runner("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
    "-days",
    "1",
    "-subj",
    "/CN=ctv test registry CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await runner("openssl", [
    "req",
    ...ec,
    "-keyout",
    f("server.key"),
    "-out",
    f("server.csr"),
    "-subj",
    "/CN=127.0.0.1",
  ]);
  writeFileSync(
    f("server.ext"),
    "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n",
  );
  await runner("openssl", [
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.crt"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.crt"),
    "-days",
    "1",
    "-extfile",
    f("server.ext"),
  ]);
  return { caFile: f("ca.crt"), certFile: f("server.crt"), keyFile: f("server.key") };
}

/** GET https://host/v2/ with the run's CA; resolves to the HTTP status. */
function probe(host: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: Number(host.split(":")[1]), path: "/v2/", method: "GET", ca, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new ToolError("TIMED_OUT", `GET https://${host}/v2/ timed out after 2 s.`)));
    req.end();
  });
}

/** Starts the registry and returns once it answers `/v2/` over TLS (401 without credentials). */
export async function startRegistry(options: StartOptions): Promise<LocalRegistry> {
  const runner = options.runner ?? defaultRunner;
  const log = options.log ?? (() => undefined);
  const binary = await ensureRegistry({ runner, log });
  const dir = options.workDir;
  mkdirSync(join(dir, "storage"), { recursive: true });
  const { caFile, certFile, keyFile } = await makeCertificates(dir, runner);
  const username = "ctv-release";
  const password = randomBytes(18).toString("base64url");
  writeFileSync(join(dir, "htpasswd"), `${username}:${bcrypt.hashSync(password, 10)}\n`, { mode: 0o600 });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = {
    version: 0.1,
    log: { level: "info", accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, "storage") }, delete: { enabled: true } },
    http: { addr: host, tls: { certificate: certFile, key: keyFile } },
    auth: { htpasswd: { realm: "ctv-registry", path: join(dir, "htpasswd") } },
  };
  writeFileSync(join(dir, "config.yml"), yaml.dump(config));
  const logFile = join(dir, "registry.log");
  const out = openSync(logFile, "a");
  // Tracing off: the registry would otherwise try to export spans to a collector that does not exist.
  const child: ChildProcess = spawn(binary, ["serve", join(dir, "config.yml")], {
    stdio: ["ignore", out, out],
    env: { ...process.env, OTEL_TRACES_EXPORTER: "none", OTEL_SDK_DISABLED: "true" },
  });
  closeSync(out);
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = `exit code ${code ?? "none"}${signal ? `, signal ${signal}` : ""}`;
  });
  const ca = readFileSync(caFile, "utf8");
  const stop = async (): Promise<void> => {
    if (exited !== undefined || child.pid === undefined) return;
    const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await done;
    clearTimeout(timer);
  };
  try {
    await pollUntil(
      `the registry on ${host} to answer /v2/`,
      30_000,
      async () => {
        if (exited !== undefined) {
          const tail = readFileSync(logFile, "utf8").trim().split("\n").slice(-3).join(" | ");
          giveUp(`The registry stopped during start-up (${exited}): ${tail}. Its log is ${logFile}.`);
        }
        return (await probe(host, ca)) === 401;
      },
      { intervalMs: 200 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  log(`registry ${host} up (TLS, basic auth), log ${logFile}`);
  return { host, caFile, username, password, logFile, stop };
}
