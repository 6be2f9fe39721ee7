// Offline checks of Switchboard's Kubernetes objects, Prometheus rules and Grafana dashboard.
//
// Every check returns a list of problems (strings naming the object and the field); an empty list means it passed.
// Nothing here talks to a cluster: the schemas are those packaged in kubernetes-models (the Kubernetes OpenAPI
// schemas) and @kubernetes-models/prometheus-operator (the operator's CRD schemas).

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { parser as promqlParser } from "@prometheus-io/lezer-promql";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The kind/name (namespace-less) of an object, for messages. */
export function describe(obj) {
  return `${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"}`;
}

/** Parses a multi-document YAML text into plain objects; a syntax error is thrown with its position. */
export function parseYaml(text, source = "input") {
  const out = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** The module that holds the model of an apiVersion: the core group ("v1"), named groups, and the operator's CRDs. */
function modelModule(apiVersion) {
  if (typeof apiVersion !== "string" || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) return null;
  if (apiVersion.startsWith("monitoring.coreos.com/")) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

async function modelClass(obj) {
  const mod = modelModule(obj.apiVersion);
  if (mod === null || typeof obj.kind !== "string" || !/^[A-Z][A-Za-z0-9]*$/.test(obj.kind)) return null;
  try {
    const m = await import(`${mod}/${obj.kind}`);
    return { module: `${mod}/${obj.kind}`, cls: m[obj.kind] };
  } catch {
    return null;
  }
}

/**
 * Validates each object against the schema of its apiVersion and kind (types, required fields, formats such as
 * quantities and durations). An apiVersion/kind with no schema is itself a problem.
 */
export async function checkSchemas(objects) {
  const problems = [];
  for (const obj of objects) {
    const model = await modelClass(obj);
    if (model === null || typeof model.cls !== "function") {
      problems.push(`${describe(obj)}: no schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`);
      continue;
    }
    try {
      new model.cls(obj).validate();
    } catch (e) {
      problems.push(`${describe(obj)}: ${e.message}`);
    }
  }
  return problems;
}

/**
 * Rejects fields the schemas do not know (a misspelt "readinesProbe" would otherwise pass, and the API server's
 * strict field validation would refuse the object, or an older one would silently drop the field). The OpenAPI
 * schemas allow unknown properties, so this uses the TypeScript interfaces generated from the same schemas: each
 * object is written as an object literal of its interface and TypeScript's excess-property check finds the extras.
 */
export async function checkUnknownFields(objects, workDir = path.join(here, "build")) {
  const lines = [];
  const owners = [];
  let i = 0;
  for (const obj of objects) {
    const model = await modelClass(obj);
    if (model === null) continue; // reported by checkSchemas
    lines.push(`import type { I${obj.kind} as T${i} } from ${JSON.stringify(model.module)};`);
    owners.push(null);
    lines.push(`export const o${i}: T${i} = ${JSON.stringify(obj)};`);
    owners.push(obj);
    i++;
  }
  if (i === 0) return [];
  mkdirSync(workDir, { recursive: true });
  writeFileSync(path.join(workDir, "objects.ts"), lines.join("\n") + "\n");
  writeFileSync(path.join(workDir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022",
      skipLibCheck: true, types: [],
    },
    files: ["objects.ts"],
  }));
  const tsc = path.join(path.dirname(require.resolve("typescript/package.json")), "bin", "tsc");
  let output = "";
  try {
    execFileSync(process.execPath, [tsc, "-p", path.join(workDir, "tsconfig.json")], { cwd: workDir, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    output = `${e.stdout ?? ""}${e.stderr ?? ""}`;
    if (output.trim() === "") throw e;
  }
  const problems = [];
  for (const line of output.split("\n")) {
    const m = /^objects\.ts\((\d+),(\d+)\): error TS\d+: (.*)$/.exec(line.trim());
    if (m) {
      const owner = owners[Number(m[1]) - 1];
      problems.push(`${owner ? describe(owner) : "objects.ts"}: ${m[3]}`);
    } else if (line.trim() !== "" && !/^\s/.test(line) && !line.startsWith("Found ")) {
      problems.push(`TypeScript: ${line.trim()}`);
    }
  }
  return problems;
}

/** Seconds in a Switchboard duration (500ms, 30s, 5m, 1h, 7d); NaN when it is not one. */
export function durationSeconds(text) {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(String(text ?? "").trim());
  if (!m) return NaN;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
  return Number(m[1]) * unit;
}

/** The SWITCHBOARD_* environment variables README's configuration table lists (the keys the server accepts). */
export function readmeEnvKeys(readmeText) {
  const keys = new Set();
  for (const m of readmeText.matchAll(/^\| `[a-z0-9.]+` \| `(SWITCHBOARD_[A-Z0-9_]+)` \|/gm)) keys.add(m[1]);
  return keys;
}

function podSpecOf(obj) {
  switch (obj.kind) {
    case "Pod": return obj.spec;
    case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job":
      return obj.spec?.template?.spec;
    case "CronJob": return obj.spec?.jobTemplate?.spec?.template?.spec;
    default: return undefined;
  }
}

function podLabelsOf(obj) {
  return obj.kind === "Pod" ? obj.metadata?.labels ?? {} : obj.spec?.template?.metadata?.labels ?? {};
}

function selects(matchLabels, labels) {
  const entries = Object.entries(matchLabels ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** Environment values of a container as the pod would see them: envFrom ConfigMaps first, then literal env. */
function envOf(container, configMaps) {
  const env = {};
  for (const from of container.envFrom ?? []) {
    const cm = from.configMapRef && configMaps.get(from.configMapRef.name);
    if (cm) Object.assign(env, cm.data ?? {});
  }
  for (const e of container.env ?? []) {
    if (typeof e.value === "string") env[e.name] = e.value;
    else if (e.valueFrom) env[e.name] = env[e.name] ?? "(from a reference)";
  }
  return env;
}

function preStopSleepSeconds(container) {
  const hook = container.lifecycle?.preStop;
  if (!hook) return 0;
  if (hook.sleep) return Number(hook.sleep.seconds) || 0;
  const cmd = hook.exec?.command ?? [];
  if (cmd.length === 2 && cmd[0] === "sleep" && /^\d+$/.test(cmd[1])) return Number(cmd[1]);
  return NaN; // some other hook: its duration is unknown
}

/**
 * What a careful operator expects of every workload, beyond the schemas: non-root, read-only root filesystem, no
 * privilege escalation, all capabilities dropped, RuntimeDefault seccomp, requests and limits, the three probes,
 * no service links or API token, a grace period that covers Switchboard's drain, one volume source per volume,
 * references that resolve (ConfigMaps, Service selectors and ports, PDB, HPA, Ingress, ServiceMonitor).
 *
 * @param knownEnv  the SWITCHBOARD_* variables the server accepts (or null to skip that check)
 */
export function checkPolicy(objects, { knownEnv = null } = {}) {
  const problems = [];
  const add = (obj, msg) => problems.push(`${describe(obj)}: ${msg}`);
  const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata?.name, o]));
  const workloads = objects.filter((o) => podSpecOf(o) !== undefined);
  const services = objects.filter((o) => o.kind === "Service");

  for (const obj of workloads) {
    const pod = podSpecOf(obj) ?? {};
    const podSec = pod.securityContext ?? {};
    if (pod.automountServiceAccountToken !== false) add(obj, "automountServiceAccountToken must be false (no API token in the pod)");
    if (pod.enableServiceLinks !== false) add(obj, "enableServiceLinks must be false (service links inject SWITCHBOARD_* variables the server refuses)");
    if (podSec.runAsUser === 0) add(obj, "pod securityContext.runAsUser is 0 (root)");
    if (obj.kind === "Deployment" && obj.spec?.strategy?.type === "Recreate" && obj.spec.strategy.rollingUpdate !== undefined) {
      add(obj, "strategy Recreate must not have rollingUpdate (the API server refuses it)");
    }
    for (const v of pod.volumes ?? []) {
      const sources = Object.keys(v).filter((k) => k !== "name" && v[k] !== null && v[k] !== undefined);
      if (sources.length !== 1) add(obj, `volume ${v.name} must have exactly one source, has ${sources.length} (${sources.join(", ")})`);
    }
    const claims = (pod.volumes ?? []).filter((v) => v.persistentVolumeClaim);
    if (obj.kind === "Deployment" && claims.length > 0) {
      if ((obj.spec?.replicas ?? 1) > 1) add(obj, "a Deployment with a PersistentVolumeClaim must have at most 1 replica (one process per data dir)");
      if (obj.spec?.strategy?.type !== "Recreate") add(obj, "a Deployment with a PersistentVolumeClaim must use strategy Recreate (the old pod holds the data dir lock)");
    }
    const containers = [...(pod.initContainers ?? []).map((c) => [c, true]), ...(pod.containers ?? []).map((c) => [c, false])];
    if ((pod.containers ?? []).length === 0) add(obj, "no containers");
    for (const [c, init] of containers) {
      const where = `container ${c.name}`;
      const sec = c.securityContext ?? {};
      const runAsNonRoot = sec.runAsNonRoot ?? podSec.runAsNonRoot;
      const runAsUser = sec.runAsUser ?? podSec.runAsUser;
      if (runAsNonRoot !== true) add(obj, `${where}: runAsNonRoot must be true`);
      if (runAsUser === 0) add(obj, `${where}: runAsUser is 0 (root)`);
      if (sec.readOnlyRootFilesystem !== true) add(obj, `${where}: readOnlyRootFilesystem must be true`);
      if (sec.allowPrivilegeEscalation !== false) add(obj, `${where}: allowPrivilegeEscalation must be false`);
      if (sec.privileged === true) add(obj, `${where}: privileged must not be true`);
      if (!(sec.capabilities?.drop ?? []).includes("ALL")) add(obj, `${where}: capabilities.drop must include ALL`);
      if ((sec.capabilities?.add ?? []).length > 0) add(obj, `${where}: capabilities.add must be empty`);
      const seccomp = sec.seccompProfile?.type ?? podSec.seccompProfile?.type;
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") add(obj, `${where}: seccompProfile must be RuntimeDefault`);
      for (const kind of ["requests", "limits"]) {
        for (const res of ["cpu", "memory"]) {
          if (c.resources?.[kind]?.[res] === undefined) add(obj, `${where}: resources.${kind}.${res} must be set`);
        }
      }
      if (!init) {
        for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
          if (!c[probe]) add(obj, `${where}: ${probe} missing`);
        }
        const portNames = new Set((c.ports ?? []).map((p) => p.name).filter(Boolean));
        for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
          const port = c[probe]?.httpGet?.port;
          if (typeof port === "string" && !portNames.has(port)) add(obj, `${where}: ${probe} uses port ${port}, which the container does not name`);
        }
      }
      for (const from of c.envFrom ?? []) {
        if (from.configMapRef && !from.configMapRef.optional && !configMaps.has(from.configMapRef.name)) {
          add(obj, `${where}: envFrom ConfigMap ${from.configMapRef.name} is not among the objects`);
        }
      }
      const env = envOf(c, configMaps);
      const javaOpts = `${env.JAVA_TOOL_OPTIONS ?? ""} ${env.JDK_JAVA_OPTIONS ?? ""}`;
      if (/-Xmx|-XX:MaxHeapSize/.test(javaOpts)) add(obj, `${where}: a fixed -Xmx ignores the memory limit; size the heap with -XX:MaxRAMPercentage`);
      const isSwitchboard = Object.keys(env).some((k) => k.startsWith("SWITCHBOARD_"));
      if (isSwitchboard && !init) {
        if (knownEnv) {
          for (const k of Object.keys(env)) {
            if (k.startsWith("SWITCHBOARD_") && !knownEnv.has(k)) add(obj, `${where}: ${k} is not a Switchboard setting (README, Configuration); the server would refuse to start`);
          }
        }
        const grace = durationSeconds(env.SWITCHBOARD_SHUTDOWN_GRACE ?? "10s");
        const delay = durationSeconds(env.SWITCHBOARD_DRAIN_DELAY ?? "5s");
        const window = durationSeconds(env.SWITCHBOARD_DRAIN_WINDOW ?? "10s");
        if (!(grace > delay + window)) {
          add(obj, `${where}: shutdown.grace (${grace} s) must exceed drain.delay + drain.window (${delay} + ${window} s)`);
        }
        const preStop = preStopSleepSeconds(c);
        const termination = pod.terminationGracePeriodSeconds ?? 30;
        if (Number.isNaN(preStop)) {
          add(obj, `${where}: preStop must be a plain sleep so that its length counts into the grace period`);
        } else if (!(termination >= preStop + grace + 5)) {
          add(obj, `${where}: terminationGracePeriodSeconds (${termination}) must be at least preStop (${preStop} s) + shutdown.grace (${grace} s) + 5 s, or Kubernetes kills the drain`);
        }
        if (!c.lifecycle?.preStop) add(obj, `${where}: preStop hook missing`);
        const port = Number(env.SWITCHBOARD_PORT ?? "8080");
        if (!(c.ports ?? []).some((p) => p.containerPort === port)) add(obj, `${where}: no containerPort ${port} (SWITCHBOARD_PORT)`);
      }
    }
  }

  const podsOf = (selector) => workloads.filter((w) => selects(selector, podLabelsOf(w)));
  const namedPorts = (pods) => new Set(pods.flatMap((w) => (podSpecOf(w).containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.name))));
  for (const svc of services) {
    if (svc.spec?.type === "ExternalName") continue;
    const pods = podsOf(svc.spec?.selector);
    if (pods.length === 0) { add(svc, "selector matches no workload's pods"); continue; }
    const names = namedPorts(pods);
    for (const p of svc.spec?.ports ?? []) {
      if (typeof p.targetPort === "string" && !names.has(p.targetPort)) add(svc, `targetPort ${p.targetPort} is not a named container port`);
    }
  }
  for (const obj of objects) {
    if (obj.kind === "Deployment" && !selects(obj.spec?.selector?.matchLabels, podLabelsOf(obj))) {
      add(obj, "spec.selector.matchLabels does not match the pod template's labels");
    }
    if (obj.kind === "PodDisruptionBudget" && podsOf(obj.spec?.selector?.matchLabels).length === 0) {
      add(obj, "selector matches no workload's pods");
    }
    if (obj.kind === "HorizontalPodAutoscaler") {
      const ref = obj.spec?.scaleTargetRef ?? {};
      const target = objects.find((o) => o.kind === ref.kind && o.metadata?.name === ref.name);
      if (!target) add(obj, `scaleTargetRef ${ref.kind}/${ref.name} is not among the objects`);
      else {
        if (target.spec?.replicas !== undefined) add(obj, `${describe(target)} sets replicas, which every apply would reset under the autoscaler`);
        const usesCpu = (obj.spec?.metrics ?? []).some((m) => m.resource?.name === "cpu");
        if (usesCpu && (podSpecOf(target).containers ?? []).some((c) => c.resources?.requests?.cpu === undefined)) {
          add(obj, "CPU utilization needs a CPU request on every container");
        }
        if ((obj.spec?.minReplicas ?? 1) < 2) add(obj, "minReplicas below 2 leaves no node to drain onto");
      }
    }
    if (obj.kind === "Ingress") {
      for (const rule of obj.spec?.rules ?? []) {
        for (const p of rule.http?.paths ?? []) {
          const b = p.backend?.service;
          const svc = services.find((s) => s.metadata?.name === b?.name);
          if (!svc) add(obj, `backend service ${b?.name} is not among the objects`);
          else if (b.port?.name && !(svc.spec?.ports ?? []).some((sp) => sp.name === b.port.name)) add(obj, `backend port ${b.port.name} is not a port of ${describe(svc)}`);
        }
      }
      const ann = obj.metadata?.annotations ?? {};
      for (const key of ["nginx.ingress.kubernetes.io/proxy-read-timeout", "nginx.ingress.kubernetes.io/proxy-send-timeout"]) {
        if (!(Number(ann[key]) >= 3600)) add(obj, `${key} must be at least 3600 (WebSocket connections are long requests)`);
      }
    }
    if (obj.kind === "ServiceMonitor") {
      const matched = services.filter((s) => selects(obj.spec?.selector?.matchLabels, s.metadata?.labels ?? {}));
      if (matched.length === 0) add(obj, "selector matches no Service's labels");
      for (const ep of obj.spec?.endpoints ?? []) {
        if (ep.port && !matched.some((s) => (s.spec?.ports ?? []).some((p) => p.name === ep.port))) add(obj, `endpoint port ${ep.port} is not a port of the selected Services`);
      }
    }
  }
  return problems;
}

/** Problems with one PromQL expression (syntax only: names are checked against a live server by a Java test). */
export function checkPromql(expr) {
  // Grafana's interval variables stand where a duration goes; other $variables only inside label values.
  const text = String(expr).replace(/\$__(rate_interval|interval|range)/g, "5m");
  const tree = promqlParser.parse(text);
  const errors = [];
  tree.iterate({ enter: (n) => { if (n.type.isError) errors.push(n.from); } });
  if (text.trim() === "") return ["empty expression"];
  return errors.length === 0 ? [] : [`PromQL syntax error at offset ${errors[0]} in: ${expr}`];
}

/** Alert rules: each group and rule well formed, every expression parses, severity and a summary present. */
export function checkRules(objects) {
  const problems = [];
  const rules = objects.filter((o) => o.kind === "PrometheusRule");
  if (rules.length === 0) problems.push("no PrometheusRule found");
  for (const obj of rules) {
    for (const group of obj.spec?.groups ?? []) {
      const names = new Set();
      for (const rule of group.rules ?? []) {
        const id = rule.alert ?? rule.record ?? "?";
        for (const p of checkPromql(rule.expr)) problems.push(`${describe(obj)} ${group.name}/${id}: ${p}`);
        if (rule.alert) {
          if (names.has(rule.alert)) problems.push(`${describe(obj)} ${group.name}/${id}: duplicate alert`);
          names.add(rule.alert);
          if (!["critical", "warning", "info"].includes(rule.labels?.severity)) problems.push(`${describe(obj)} ${group.name}/${id}: labels.severity must be critical, warning or info`);
          if (!rule.annotations?.summary || !rule.annotations?.description) problems.push(`${describe(obj)} ${group.name}/${id}: annotations.summary and annotations.description are needed`);
        }
      }
    }
  }
  return problems;
}

/** A Grafana dashboard: panels with unique ids and titles, Prometheus targets that parse, the datasource variable. */
export function checkDashboard(dash) {
  const problems = [];
  if (typeof dash?.title !== "string" || typeof dash?.uid !== "string") problems.push("dashboard: title and uid needed");
  const panels = (dash?.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
  if (panels.length === 0) problems.push("dashboard: no panels");
  const vars = new Set((dash?.templating?.list ?? []).map((v) => v.name));
  const ids = new Set();
  for (const p of panels) {
    if (ids.has(p.id)) problems.push(`dashboard: panel id ${p.id} used twice`);
    ids.add(p.id);
    if (p.type === "row") continue;
    if (!p.title) problems.push(`dashboard: panel ${p.id} has no title`);
    if (!p.gridPos) problems.push(`dashboard: panel ${p.title} has no gridPos`);
    if ((p.targets ?? []).length === 0) problems.push(`dashboard: panel ${p.title} has no targets`);
    for (const t of p.targets ?? []) {
      for (const e of checkPromql(t.expr ?? "")) problems.push(`dashboard: panel ${p.title}: ${e}`);
      for (const m of String(t.expr ?? "").matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
        if (!m[1].startsWith("__") && !vars.has(m[1])) problems.push(`dashboard: panel ${p.title}: variable $${m[1]} is not defined`);
      }
    }
  }
  return problems;
}

/** Renders a Kustomize directory with kubectl; throws with kubectl's message when it cannot. */
export function kustomize(kubectl, dir) {
  try {
    return execFileSync(kubectl, ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`kubectl kustomize ${dir} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/**
 * Every check of a set of rendered objects. Options: knownEnv (see checkPolicy), workDir (TypeScript's scratch
 * directory), unknownFields: false to skip the slowest check (one TypeScript run, about a second).
 */
export async function checkObjects(objects, options = {}) {
  return [
    ...(await checkSchemas(objects)),
    ...(options.unknownFields === false ? [] : await checkUnknownFields(objects, options.workDir)),
    ...checkPolicy(objects, options),
  ];
}

export function readText(file) {
  return readFileSync(file, "utf8");
}
