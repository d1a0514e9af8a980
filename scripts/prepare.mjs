// npm's prepare script: builds dist/ (npm run build) for `npm pack`, `npm ci` and installs from git. npm installs
// a git dependency's devDependencies before running this, but a global install (`npm install -g git+...`, as
// pre-commit's node hooks do) passes npm_config_global down, so they land in the global prefix instead of here;
// then install them here first, without scripts (which would run this again).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const local = { ...process.env, npm_config_global: "false", npm_config_prefix: "" };
const npm = (args) => execFileSync("npm", args, { stdio: "inherit", env: local });
if (!existsSync("node_modules/.bin/tsx"))
  npm(["install", "--no-save", "--include=dev", "--ignore-scripts", "--no-audit", "--no-fund"]);
npm(["run", "build"]);
