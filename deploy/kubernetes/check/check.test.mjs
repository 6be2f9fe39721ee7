// Self-test of the checks: the shipped files pass, and each kind of mistake is caught (a check that cannot fail
// proves nothing). Run with: npm test (node --test).

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import {
  checkDashboard, checkObjects, checkPromql, checkRules, kustomize, parseYaml, readText, readmeEnvKeys,
} from "./lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const kubectl = process.env.KUBECTL || "kubectl";
const known = new Set([...readmeEnvKeys(readText(path.join(repo, "README.md"))),
  "SWITCHBOARD_DRAIN_DELAY", "SWITCHBOARD_DRAIN_WINDOW", "SWITCHBOARD_REDIS_URL", "SWITCHBOARD_REDIS_PASSWORD"]);
const single = parseYaml(kustomize(kubectl, path.join(repo, "deploy/kubernetes/overlays/single")));
const cluster = parseYaml(kustomize(kubectl, path.join(repo, "deploy/kubernetes/overlays/cluster")));
let work = 0;

function cli(...args) {
  return spawnSync(process.execPath, [path.join(here, "check.mjs"), ...args], { encoding: "utf8" });
}

async function problemsAfter(objects, mutate, unknownFields = true) {
  const copy = structuredClone(objects);
  mutate(copy, (kind) => copy.find((o) => o.kind === kind));
  return checkObjects(copy, { knownEnv: known, workDir: path.join(here, "build", `test${work++}`), unknownFields });
}

const container = (find) => find("Deployment").spec.template.spec.containers[0];
const config = (find) => find("ConfigMap").data;

test("the shipped overlays, alert rules and dashboard pass", () => {
  const r = cli();
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok {3}kustomize deploy\/kubernetes\/overlays\/single/);
  assert.match(r.stdout, /ok {3}kustomize deploy\/kubernetes\/overlays\/cluster/);
  assert.match(r.stdout, /ok {3}rules /);
  assert.match(r.stdout, /ok {3}dashboard /);
});

test("the shipped objects pass the checks one by one", async () => {
  assert.deepEqual(await problemsAfter(single, () => {}), []);
  assert.deepEqual(await problemsAfter(cluster, () => {}), []);
});

const mistakes = [
  ["root user", single, (o, f) => { container(f).securityContext.runAsUser = 0; }, /runAsUser is 0/],
  ["no runAsNonRoot", single, (o, f) => { delete container(f).securityContext.runAsNonRoot; delete f("Deployment").spec.template.spec.securityContext.runAsNonRoot; }, /runAsNonRoot must be true/],
  ["writable root filesystem", single, (o, f) => { delete container(f).securityContext.readOnlyRootFilesystem; }, /readOnlyRootFilesystem must be true/],
  ["privilege escalation", single, (o, f) => { container(f).securityContext.allowPrivilegeEscalation = true; }, /allowPrivilegeEscalation must be false/],
  ["capabilities kept", single, (o, f) => { container(f).securityContext.capabilities.drop = ["NET_RAW"]; }, /capabilities.drop must include ALL/],
  ["no seccomp profile", single, (o, f) => { delete container(f).securityContext.seccompProfile; delete f("Deployment").spec.template.spec.securityContext.seccompProfile; }, /seccompProfile/],
  ["no memory limit", single, (o, f) => { delete container(f).resources.limits.memory; }, /resources.limits.memory must be set/],
  ["no cpu request", cluster, (o, f) => { delete container(f).resources.requests.cpu; }, /resources.requests.cpu must be set/],
  ["no readiness probe", single, (o, f) => { delete container(f).readinessProbe; }, /readinessProbe missing/],
  ["no startup probe", single, (o, f) => { delete container(f).startupProbe; }, /startupProbe missing/],
  ["misspelt field", single, (o, f) => { const c = container(f); c.livenesProbe = c.livenessProbe; delete c.livenessProbe; }, /'"livenesProbe"' does not exist in type 'IContainer'/],
  ["wrong type", cluster, (o, f) => { f("HorizontalPodAutoscaler").spec.minReplicas = "three"; }, /minReplicas must be integer/],
  ["bad quantity", single, (o, f) => { container(f).resources.limits.memory = "1Gx"; }, /limits\/memory must match format "quantity"/],
  ["missing required field", single, (o, f) => { delete f("Deployment").spec.selector; }, /must have required property selector/],
  ["unknown kind", single, (o) => { o.push({ apiVersion: "apps/v1", kind: "Deployments", metadata: { name: "x" } }); }, /no schema for apiVersion apps\/v1 kind Deployments/],
  ["service links on", single, (o, f) => { f("Deployment").spec.template.spec.enableServiceLinks = true; }, /enableServiceLinks must be false/],
  ["API token mounted", single, (o, f) => { delete f("Deployment").spec.template.spec.automountServiceAccountToken; }, /automountServiceAccountToken must be false/],
  ["grace shorter than the drain", single, (o, f) => { f("Deployment").spec.template.spec.terminationGracePeriodSeconds = 30; }, /terminationGracePeriodSeconds \(30\) must be at least/],
  ["shutdown.grace within the drain", single, (o, f) => { config(f).SWITCHBOARD_SHUTDOWN_GRACE = "15s"; }, /shutdown.grace \(15 s\) must exceed/],
  ["unknown setting", single, (o, f) => { config(f).SWITCHBOARD_LIMITS_RATES = "5"; }, /SWITCHBOARD_LIMITS_RATES is not a Switchboard setting/],
  ["H2 with a rolling update", single, (o, f) => { f("Deployment").spec.strategy = { type: "RollingUpdate" }; }, /must use strategy Recreate/],
  ["H2 with two replicas", single, (o, f) => { f("Deployment").spec.replicas = 2; }, /at most 1 replica/],
  ["Recreate with rollingUpdate", single, (o, f) => { f("Deployment").spec.strategy.rollingUpdate = { maxSurge: 1 }; }, /must not have rollingUpdate/],
  ["volume with two sources", single, (o, f) => { f("Deployment").spec.template.spec.volumes.find((v) => v.name === "data").emptyDir = {}; }, /volume data must have exactly one source/],
  ["Service port not on the pod", single, (o, f) => { f("Service").spec.ports[0].targetPort = "web"; }, /targetPort web is not a named container port/],
  ["Ingress with short timeouts", single, (o, f) => { f("Ingress").metadata.annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] = "60"; }, /proxy-read-timeout must be at least 3600/],
  ["ServiceMonitor on a missing port", single, (o, f) => { f("ServiceMonitor").spec.endpoints[0].port = "metrics"; }, /endpoint port metrics is not a port/],
  ["HPA fighting a fixed replica count", cluster, (o, f) => { f("Deployment").spec.replicas = 3; }, /sets replicas/],
  ["PDB selecting nothing", cluster, (o, f) => { f("PodDisruptionBudget").spec.selector.matchLabels = { app: "other" }; }, /selector matches no workload's pods/],
  ["fixed heap", cluster, (o, f) => { config(f).JAVA_TOOL_OPTIONS = "-Xmx512m"; }, /fixed -Xmx ignores the memory limit/],
];

for (const [name, objects, mutate, expected] of mistakes) {
  test(`refuses: ${name}`, async () => {
    // TypeScript (a second per run) only where the mistake is an unknown field.
    const problems = await problemsAfter(objects, mutate, name === "misspelt field");
    assert.ok(problems.some((p) => expected.test(p)), `expected a problem matching ${expected}, got:\n${problems.join("\n")}`);
  });
}

test("refuses a broken overlay end to end (kubectl kustomize, then the checks), exit code 1", () => {
  const r = cli("--overlay", path.join(here, "fixtures/bad-overlay"));
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAIL kustomize/);
  assert.match(r.stdout, /readOnlyRootFilesystem must be true/);
  assert.match(r.stdout, /readinesProbe/);
});

test("refuses a manifest file that is not valid YAML, and one that does not render", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sb-check-"));
  writeFileSync(path.join(dir, "bad.yaml"), "kind: Deployment\n  metadata: [\n");
  const r = cli("--manifest", path.join(dir, "bad.yaml"));
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const missing = cli("--overlay", path.join(dir, "no-such-overlay"));
  assert.equal(missing.status, 1, missing.stdout + missing.stderr);
  assert.match(missing.stdout, /kubectl kustomize .* failed/);
});

test("a rendered manifest file is checked like an overlay", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sb-check-"));
  const bad = structuredClone(single);
  bad.find((o) => o.kind === "Deployment").spec.template.spec.containers[0].securityContext.runAsNonRoot = false;
  bad.find((o) => o.kind === "Deployment").spec.template.spec.securityContext.runAsNonRoot = false;
  writeFileSync(path.join(dir, "good.yaml"), single.map((o) => stringify(o)).join("---\n"));
  writeFileSync(path.join(dir, "bad.yaml"), bad.map((o) => stringify(o)).join("---\n"));
  assert.equal(cli("--manifest", path.join(dir, "good.yaml")).status, 0);
  const r = cli("--manifest", path.join(dir, "bad.yaml"));
  assert.equal(r.status, 1);
  assert.match(r.stdout, /runAsNonRoot must be true/);
});

test("PromQL: valid expressions pass, broken ones are refused", () => {
  assert.deepEqual(checkPromql('max by (pod) (switchboard_delivery_latency{quantile="0.99"}) > 0.25'), []);
  assert.deepEqual(checkPromql("sum(rate(switchboard_messages_in_total[$__rate_interval]))"), []);
  assert.equal(checkPromql("sum(rate(switchboard_messages_in_total[5m])").length, 1);
  assert.equal(checkPromql('switchboard_connections{pod="a"').length, 1);
  assert.equal(checkPromql("").length, 1);
});

test("alert rules: a broken expression, a missing severity or summary is refused", () => {
  const rules = parseYaml(readText(path.join(repo, "deploy/prometheus/alerts.yaml")));
  assert.deepEqual(checkRules(rules), []);
  const broken = structuredClone(rules);
  broken[0].spec.groups[0].rules[0].expr = "up{job=\"switchboard\" == 0";
  assert.match(checkRules(broken).join("\n"), /PromQL syntax error/);
  const unlabelled = structuredClone(rules);
  delete unlabelled[0].spec.groups[0].rules[0].labels.severity;
  assert.match(checkRules(unlabelled).join("\n"), /labels.severity/);
  const bare = structuredClone(rules);
  delete bare[0].spec.groups[0].rules[0].annotations.summary;
  assert.match(checkRules(bare).join("\n"), /annotations.summary/);
});

test("dashboard: a broken expression, an undefined variable or a reused panel id is refused", () => {
  const dash = JSON.parse(readText(path.join(repo, "deploy/grafana/switchboard-dashboard.json")));
  assert.deepEqual(checkDashboard(dash), []);
  const panel = (d) => d.panels.find((p) => p.type === "timeseries");
  const broken = structuredClone(dash);
  panel(broken).targets[0].expr = "sum(rate(switchboard_messages_in_total[5m])";
  assert.match(checkDashboard(broken).join("\n"), /PromQL syntax error/);
  const undefinedVar = structuredClone(dash);
  panel(undefinedVar).targets[0].expr = 'sum(switchboard_connections{cluster="$cluster"})';
  assert.match(checkDashboard(undefinedVar).join("\n"), /variable \$cluster is not defined/);
  const reused = structuredClone(dash);
  reused.panels[2].id = reused.panels[1].id;
  assert.match(checkDashboard(reused).join("\n"), /used twice/);
});

test("the kubectl used here renders with Kustomize 5 syntax", () => {
  const out = execFileSync(kubectl, ["version", "--client"], { encoding: "utf8" });
  assert.match(out, /Kustomize Version: v5\./, out);
});

test("docs/deploy.md states the numbers the manifests use", () => {
  const doc = readText(path.join(repo, "docs/deploy.md"));
  const deploymentOf = (objs) => objs.find((o) => o.kind === "Deployment");
  const pod = deploymentOf(single).spec.template.spec;
  const c = pod.containers[0];
  const env = single.find((o) => o.kind === "ConfigMap").data;
  const says = (text) => assert.ok(doc.includes(text), `docs/deploy.md should say: ${text}`);
  says(`terminationGracePeriodSeconds: ${pod.terminationGracePeriodSeconds}`);
  says(`\`preStop\` sleeps ${c.lifecycle.preStop.exec.command[1]} s`);
  says(`| \`${env.SWITCHBOARD_DRAIN_DELAY}\`, \`${env.SWITCHBOARD_DRAIN_WINDOW}\`, \`${env.SWITCHBOARD_SHUTDOWN_GRACE}\` |`);
  says(`| startup | \`${c.startupProbe.httpGet.path}\` | every ${c.startupProbe.periodSeconds} s, ${c.startupProbe.failureThreshold} failures`);
  says(`| liveness | \`${c.livenessProbe.httpGet.path}\` | every ${c.livenessProbe.periodSeconds} s, timeout ${c.livenessProbe.timeoutSeconds} s, ${c.livenessProbe.failureThreshold} failures`);
  says(`| readiness | \`${c.readinessProbe.httpGet.path}\` | every ${c.readinessProbe.periodSeconds} s, timeout ${c.readinessProbe.timeoutSeconds} s, ${c.readinessProbe.failureThreshold} failures`);
  says(`${single.find((o) => o.kind === "PersistentVolumeClaim").spec.resources.requests.storage.replace("Gi", " GiB")} ReadWriteOnce`);
  const hpa = cluster.find((o) => o.kind === "HorizontalPodAutoscaler").spec;
  says(`keeps ${hpa.minReplicas} to ${hpa.maxReplicas} nodes at ${hpa.metrics[0].resource.target.averageUtilization}%`);
  const gib = (q) => q.replace("Gi", " GiB");
  says(`| ${gib(c.resources.limits.memory)} | 768 MB | about 15,000 | single overlay |`);
  says(`| ${gib(deploymentOf(cluster).spec.template.spec.containers[0].resources.limits.memory)} | 1.5 GiB | about 40,000 | cluster overlay`);
  const rolling = deploymentOf(cluster).spec.strategy.rollingUpdate;
  says(`\`maxSurge: ${rolling.maxSurge}, maxUnavailable: ${rolling.maxUnavailable}\``);
  says(`\`maxUnavailable: ${cluster.find((o) => o.kind === "PodDisruptionBudget").spec.maxUnavailable}\``);
});
