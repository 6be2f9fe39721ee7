#!/usr/bin/env node
// Checks Switchboard's deployment files offline; exits 1 and names every problem when one fails.
//
//   node check.mjs                        both overlays (rendered with kubectl kustomize), the alert rules, the dashboard
//   node check.mjs --overlay DIR ...      these Kustomize directories instead of the two overlays
//   node check.mjs --manifest FILE ...    already rendered YAML files instead of the overlays
//   node check.mjs --rules FILE --dashboard FILE   other alert rules / dashboard files
//   KUBECTL=/path/to/kubectl              another kubectl (default: kubectl on the PATH)

import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  checkDashboard, checkObjects, checkRules, checkSchemas, checkUnknownFields, kustomize, parseYaml, readText,
  readmeEnvKeys,
} from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");

// Settings being added alongside these manifests (drain: docs/deploy.md; cluster mode: Redis). Until README's
// configuration table lists them they are accepted here; once it does, this list only warns and should be emptied.
const PENDING_KEYS = [];

function parseArgs(argv) {
  const opts = { overlays: [], manifests: [], rules: null, dashboard: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--overlay") opts.overlays.push(value());
    else if (a === "--manifest") opts.manifests.push(value());
    else if (a === "--rules") opts.rules = value();
    else if (a === "--dashboard") opts.dashboard = value();
    else throw new Error(`unknown argument ${a} (see the head of check.mjs)`);
  }
  const custom = opts.overlays.length + opts.manifests.length > 0;
  if (!custom) opts.overlays = ["overlays/single", "overlays/cluster"].map((o) => path.join(repo, "deploy/kubernetes", o));
  if (opts.rules === null && !custom) opts.rules = path.join(repo, "deploy/prometheus/alerts.yaml");
  if (opts.dashboard === null && !custom) opts.dashboard = path.join(repo, "deploy/grafana/switchboard-dashboard.json");
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const kubectl = process.env.KUBECTL || "kubectl";
  const known = readmeEnvKeys(readText(path.join(repo, "README.md")));
  if (known.size === 0) throw new Error("README.md has no configuration table to read the settings from");
  for (const k of PENDING_KEYS) {
    if (known.has(k)) console.log(`note: README now lists ${k}; remove it from PENDING_KEYS in check.mjs`);
    known.add(k);
  }
  let failed = 0;
  const report = (label, problems, count) => {
    if (problems.length === 0) {
      console.log(`ok   ${label}${count === undefined ? "" : ` (${count} objects)`}`);
    } else {
      failed++;
      console.log(`FAIL ${label}`);
      for (const p of problems) console.log(`     - ${p}`);
    }
  };
  const sets = [
    ...opts.overlays.map((dir) => ({ label: `kustomize ${path.relative(repo, dir) || dir}`, load: () => parseYaml(kustomize(kubectl, dir), dir) })),
    ...opts.manifests.map((file) => ({ label: `manifest ${path.relative(repo, file) || file}`, load: () => parseYaml(readText(file), file) })),
  ];
  for (const [i, set] of sets.entries()) {
    let objects;
    try {
      objects = set.load();
    } catch (e) {
      report(set.label, [e.message]);
      continue;
    }
    const problems = objects.length === 0 ? ["no objects"] : await checkObjects(objects, { knownEnv: known, workDir: path.join(here, "build", `set${i}`) });
    report(set.label, problems, objects.length);
  }
  if (opts.rules) {
    let problems;
    try {
      const objects = parseYaml(readText(opts.rules), opts.rules);
      problems = [
        ...(await checkSchemas(objects)),
        ...(await checkUnknownFields(objects, path.join(here, "build", "rules"))),
        ...checkRules(objects),
      ];
    } catch (e) {
      problems = [e.message];
    }
    report(`rules ${path.relative(repo, opts.rules)}`, problems);
  }
  if (opts.dashboard) {
    let problems;
    try {
      problems = checkDashboard(JSON.parse(readText(opts.dashboard)));
    } catch (e) {
      problems = [`${opts.dashboard}: ${e.message}`];
    }
    report(`dashboard ${path.relative(repo, opts.dashboard)}`, problems);
  }
  if (failed > 0) {
    console.log(`\n${failed} check(s) failed`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(`check.mjs: ${e.message}`);
  process.exitCode = 2;
});
