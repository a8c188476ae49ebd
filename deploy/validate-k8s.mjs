// Validates rendered Kubernetes manifests (kubectl kustomize output) offline:
//  1. each object against the JSON schema of its kind, generated from the Kubernetes OpenAPI spec (npm
//     kubernetes-models; prometheus-operator's CRDs from @kubernetes-models/prometheus-operator): types, required
//     fields, enums and formats such as quantities. These schemas allow unknown fields, so
//  2. the fields this project relies on are checked by name (a misspelt one is missing): restricted Pod Security,
//     probes, resources, /tmp, and for the GPU overlay the trainer's GPU scheduling.
//  3. Strimzi resources (no schema package exists) get a check of the fields the operator requires.
//  4. Overlays that speak TLS to Kafka: no listener without TLS and authentication, authorization on, ACLs on every
//     KafkaUser, each workload with its own user's Secret.
// Usage: node validate-k8s.mjs RENDERED.yaml [--gpu]     (deploy/check installs the packages next to this file)
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const [file, ...flags] = process.argv.slice(2);
const gpu = flags.includes("--gpu");
const errors = [];
const fail = (obj, msg) => errors.push(`${obj.kind}/${obj.metadata?.name}: ${msg}`);

const docs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
if (docs.length === 0) throw new Error(`no objects in ${file}`);

async function schemaCheck(obj) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  const pkg = group === "monitoring.coreos.com" ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
  const path = `${pkg}/${group ? group + "/" : ""}${version}/${obj.kind}`;
  let model;
  try {
    model = (await import(path))[obj.kind];
  } catch (e) {
    return false;
  }
  try {
    new model(obj).validate();
  } catch (e) {
    fail(obj, `schema: ${e.message}`);
  }
  return true;
}

const get = (o, path) => path.split(".").reduce((v, k) => (v == null ? undefined : v[k]), o);
function require(obj, base, paths, expected) {
  for (const p of paths) {
    const v = get(base, p);
    if (v === undefined || (expected && expected[p] !== undefined && JSON.stringify(v) !== JSON.stringify(expected[p]))) {
      fail(obj, `${p} is ${JSON.stringify(v)}${expected && expected[p] !== undefined ? ", want " + JSON.stringify(expected[p]) : ""}`);
    }
  }
}

function podPolicy(obj) {
  const pod = obj.spec.template.spec;
  require(obj, pod, ["securityContext.runAsNonRoot", "securityContext.seccompProfile.type"],
    { "securityContext.runAsNonRoot": true, "securityContext.seccompProfile.type": "RuntimeDefault" });
  const tmp = (pod.volumes || []).find((v) => v.emptyDir && (pod.containers[0].volumeMounts || [])
    .some((m) => m.name === v.name && m.mountPath === "/tmp"));
  if (!tmp) fail(obj, "no emptyDir mounted at /tmp");
  for (const c of [...(pod.initContainers || []), ...pod.containers]) {
    require(obj, c, ["securityContext.allowPrivilegeEscalation", "securityContext.readOnlyRootFilesystem",
      "securityContext.capabilities.drop", "resources.requests.cpu", "resources.requests.memory",
      "resources.limits.cpu", "resources.limits.memory"], {
      "securityContext.allowPrivilegeEscalation": false, "securityContext.readOnlyRootFilesystem": true,
      "securityContext.capabilities.drop": ["ALL"] });
  }
  for (const c of pod.containers) {
    require(obj, c, ["livenessProbe.httpGet.path", "readinessProbe.httpGet.path"],
      { "livenessProbe.httpGet.path": "/q/health/live", "readinessProbe.httpGet.path": "/q/health/ready" });
  }
  const annotations = obj.spec.template.metadata.annotations || {};
  if (annotations["prometheus.io/scrape"] !== "true" || annotations["prometheus.io/path"] !== "/q/metrics") {
    fail(obj, "missing prometheus.io/scrape and prometheus.io/path annotations");
  }
  if (gpu && obj.metadata.name === "trainer-service") {
    require(obj, pod, ["nodeSelector"]);
    if (pod.containers[0].resources.limits["nvidia.com/gpu"] === undefined) fail(obj, "no nvidia.com/gpu limit");
    if (!(pod.tolerations || []).some((t) => t.key === "nvidia.com/gpu")) fail(obj, "no toleration for nvidia.com/gpu");
    if (!pod.containers[0].image.endsWith("-cuda")) fail(obj, `image ${pod.containers[0].image} is not the CUDA one`);
  }
}

const STRIMZI = {
  Kafka: ["spec.kafka.listeners", "metadata.annotations"],
  KafkaNodePool: ["spec.replicas", "spec.roles", "spec.storage.type", "metadata.labels"],
  KafkaTopic: ["spec.topicName", "spec.partitions", "spec.replicas", "metadata.labels"],
  KafkaUser: ["spec.authentication.type", "metadata.labels"],
};

const counts = {};
for (const obj of docs) {
  counts[obj.kind] = (counts[obj.kind] || 0) + 1;
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
    errors.push(`object without apiVersion, kind or name: ${JSON.stringify(obj).slice(0, 120)}`);
    continue;
  }
  if (obj.apiVersion.startsWith("kafka.strimzi.io/")) {
    require(obj, obj, STRIMZI[obj.kind] || ["spec"]);
    if (obj.kind !== "Kafka" && obj.metadata.labels?.["strimzi.io/cluster"] !== "finetune") fail(obj, "not labelled strimzi.io/cluster=finetune");
    continue;
  }
  if (!(await schemaCheck(obj))) fail(obj, `no schema known for ${obj.apiVersion} ${obj.kind}`);
  if (obj.kind === "Deployment" || obj.kind === "StatefulSet") podPolicy(obj);
}
// Each service once, as the kind its state asks for: preprocess keeps a spool per pod (a StatefulSet's volume); the
// evaluator's serving replicas need stable pod names, their transactional ids (a StatefulSet's, their data a cache).
const workloads = docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")
  .map((d) => `${d.kind}/${d.metadata.name}`).sort();
const want = ["Deployment/evaluator-service", "Deployment/ingest-service", "Deployment/trainer-service",
  "StatefulSet/evaluator-serving", "StatefulSet/preprocess-service"];
if (JSON.stringify(workloads) !== JSON.stringify(want)) errors.push(`workloads ${workloads}, want ${want}`);
const preprocess = docs.find((d) => d.kind === "StatefulSet" && d.metadata.name === "preprocess-service");
if (preprocess && !(preprocess.spec.volumeClaimTemplates || []).some((t) => t.metadata.name === "data")) {
  errors.push("StatefulSet/preprocess-service has no volume claim template for its spool (data)");
}
// A serving replica's transactional id is its pod's name: two pods with one id would fence each other in turn, and a
// restarted pod with a new id would leave its predecessor's transaction open until it times out.
const serving = docs.find((d) => d.kind === "StatefulSet" && d.metadata.name === "evaluator-serving");
if (serving) {
  const env = serving.spec.template.spec.containers[0].env || [];
  const id = env.find((e) => e.name === "SERVING_TRANSACTIONAL_ID");
  if (id?.valueFrom?.fieldRef?.fieldPath !== "metadata.name") fail(serving, "SERVING_TRANSACTIONAL_ID is not the pod's name (fieldRef metadata.name)");
  if (!/(^|,)serving(,|$)/.test(env.find((e) => e.name === "QUARKUS_PROFILE")?.value ?? "")) fail(serving, "QUARKUS_PROFILE lacks serving");
}
// Kafka over TLS: every workload must get the files its security protocol needs, whatever its kind. (The TLS
// components once patched Deployments only, and preprocess, a StatefulSet, would have stalled without a trust store.)
const config = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === "finetune-config");
const protocol = config?.data?.KAFKA_SECURITY_PROTOCOL ?? "PLAINTEXT";
for (const obj of docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")) {
  const pod = obj.spec.template.spec;
  const c = pod.containers[0];
  const readsProtocol = (c.envFrom || []).some((e) => e.configMapRef?.name === "finetune-config")
    || (c.env || []).some((e) => e.name === "KAFKA_SECURITY_PROTOCOL"
      && e.valueFrom?.configMapKeyRef?.name === "finetune-config");
  if (!readsProtocol) fail(obj, "does not take KAFKA_SECURITY_PROTOCOL from the ConfigMap finetune-config");
  const needs = protocol === "SSL" ? ["TRUSTSTORE", "KEYSTORE"] : protocol === "SASL_SSL" ? ["TRUSTSTORE"] : [];
  for (const store of needs) {
    const location = (c.env || []).find((e) => e.name === `KAFKA_SSL_${store}_LOCATION`)?.value;
    const password = (c.env || []).find((e) => e.name === `KAFKA_SSL_${store}_PASSWORD`);
    const mount = location && (c.volumeMounts || []).find((m) => location.startsWith(m.mountPath + "/"));
    const volume = mount && (pod.volumes || []).find((v) => v.name === mount.name);
    if (!location) fail(obj, `KAFKA_SECURITY_PROTOCOL is ${protocol} but KAFKA_SSL_${store}_LOCATION is not set`);
    else if (!volume) fail(obj, `KAFKA_SSL_${store}_LOCATION ${location} is not on a mounted volume`);
    if (!password) fail(obj, `KAFKA_SECURITY_PROTOCOL is ${protocol} but KAFKA_SSL_${store}_PASSWORD is not set`);
  }
}
// Where security is claimed (the services speak TLS to Kafka) there is no plaintext path and no unlimited login:
// every listener of the cluster authenticates over TLS, authorization is on, every KafkaUser has ACLs (literal names
// of topics and groups, transactional ids literal or by a prefix, nothing on the cluster; the rules themselves are contracts' KafkaAccess, checked by KafkaAccessTest), every
// workload logs in as its own user, and the pods reach Kafka only on the authenticated listeners.
if (protocol !== "PLAINTEXT") {
  const kafka = docs.find((d) => d.kind === "Kafka");
  const listeners = kafka?.spec?.kafka?.listeners ?? [];
  for (const l of listeners) {
    if (l.tls !== true || !l.authentication?.type) fail(kafka, `listener ${l.name} (${l.port}) without TLS and authentication`);
  }
  if (kafka && kafka.spec.kafka.authorization?.type !== "simple") fail(kafka, "security is claimed but authorization is not simple");
  const port = Number((config?.data?.KAFKA_BOOTSTRAP_SERVERS ?? "").split(":").pop());
  if (kafka && !listeners.some((l) => l.port === port)) errors.push(`finetune-config: bootstrap port ${port} is no listener's`);
  const authType = protocol === "SSL" ? "tls" : "scram-sha-512";
  const users = docs.filter((d) => d.kind === "KafkaUser");
  for (const u of users) {
    if (u.spec.authentication?.type !== authType) fail(u, `authentication ${u.spec.authentication?.type}, want ${authType} for ${protocol}`);
    if (u.spec.authorization?.type !== "simple" || !(u.spec.authorization.acls || []).length) fail(u, "no simple authorization with ACLs");
    for (const acl of u.spec.authorization?.acls || []) {
      // transactionalId: the serving loops' producers, the evaluator's and its serving replicas', literal or by their
      // prefix (KafkaAccess.SERVING_TRANSACTIONAL_ID_PREFIX); topics and groups only literal. No prefix may be empty.
      const prefixed = acl.resource?.type === "transactionalId" && acl.resource.patternType === "prefix";
      if (!["topic", "group", "transactionalId"].includes(acl.resource?.type) || !acl.resource.name
          || acl.resource.name === "*" || (acl.resource.patternType !== "literal" && !prefixed)) {
        fail(u, `ACL beyond a literal topic or group or a literal or prefixed transactional id: ${JSON.stringify(acl.resource)}`);
      }
    }
  }
  const seen = new Map();
  const ACTS_FOR = { "evaluator-serving": "evaluator-service" };
  for (const obj of docs.filter((d) => d.kind === "Deployment" || d.kind === "StatefulSet")) {
    const pod = obj.spec.template.spec;
    const c = pod.containers[0];
    // The evaluator's serving replicas act for the evaluator and log in as its user (docs/serving.md).
    const service = ACTS_FOR[obj.metadata.name] ?? obj.metadata.name;
    const own = users.find((u) => u.metadata.annotations?.["finetune.io/service"] === service);
    if (!own) { fail(obj, "no KafkaUser of its own (annotation finetune.io/service)"); continue; }
    const secretOf = (name) => (c.env || []).find((e) => e.name === name)?.valueFrom?.secretKeyRef?.name;
    const used = protocol === "SSL" ? [secretOf("KAFKA_SSL_KEYSTORE_PASSWORD"),
      (pod.volumes || []).find((v) => v.name === (c.volumeMounts || []).find((m) =>
        ((c.env || []).find((e) => e.name === "KAFKA_SSL_KEYSTORE_LOCATION")?.value ?? "").startsWith(m.mountPath + "/"))?.name)?.secret?.secretName]
      : [secretOf("KAFKA_SASL_JAAS_CONFIG")];
    for (const secret of used) {
      if (secret !== own.metadata.name) fail(obj, `logs in to Kafka with Secret ${secret}, want its own user's, ${own.metadata.name}`);
    }
    if (ACTS_FOR[obj.metadata.name]) continue;
    if (seen.has(own.metadata.name)) fail(obj, `shares Kafka user ${own.metadata.name} with ${seen.get(own.metadata.name)}`);
    seen.set(own.metadata.name, obj.metadata.name);
  }
  const policy = docs.find((d) => d.kind === "NetworkPolicy" && d.metadata.name === "finetune-allow-kafka");
  for (const p of (policy?.spec?.egress || []).flatMap((e) => e.ports || [])) {
    if (!listeners.some((l) => l.port === p.port)) fail(policy, `lets pods reach Kafka on ${p.port}, no authenticated listener`);
  }
}
for (const kind of ["NetworkPolicy", "HorizontalPodAutoscaler", "PodMonitor", "Service", "PersistentVolumeClaim"]) {
  if (!counts[kind]) errors.push(`no ${kind}`);
}
if (errors.length) {
  console.error(`${file}: ${errors.length} problem(s)\n  ` + errors.join("\n  "));
  process.exit(1);
}
console.log(`${file}: ${docs.length} objects valid (${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(", ")})`);
