package io.finetune.local.replay;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The services of a rendered overlay as the kubelet would start them: for each service's Deployment or StatefulSet,
 * the container's environment (image ENV, {@code envFrom}, {@code env} with ConfigMap, Secret, resource and field
 * references resolved) and its mounts, each volume made a local directory ({@code emptyDir}, a claim shared by every
 * pod that names it, a Secret's or ConfigMap's keys written as files). A reference the overlay cannot satisfy fails
 * here, naming the workload, exactly as the pod would fail to start.
 */
final class KubernetesWorkloads {
    private static final String GPU = "nvidia.com/gpu";
    private static final Pattern VAR_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private final Manifests manifests;
    private final Function<String, Optional<Map<String, byte[]>>> secrets;
    private final Path root;
    private final Path repoRoot;
    /** What the replay could not do as a cluster would, e.g. init containers it skipped: for the report. */
    private final List<String> notes = new ArrayList<>();

    /**
     * @param secrets the Secrets that exist beside the manifests (made by an operator or by the user), by name
     * @param root    where volumes become directories
     */
    KubernetesWorkloads(Manifests manifests, Function<String, Optional<Map<String, byte[]>>> secrets, Path root,
                        Path repoRoot) {
        this.manifests = manifests;
        this.secrets = secrets;
        this.root = root;
        this.repoRoot = repoRoot;
    }

    List<String> notes() {
        return notes;
    }

    /**
     * The module whose Dockerfile built an image: its name without registry and tag
     * ({@code finetune/evaluator-service:0.1.0} is evaluator-service's, which the evaluator's serving replicas run too).
     */
    static String module(String image) {
        String name = image.substring(image.lastIndexOf('/') + 1);
        int tag = name.indexOf(':');
        return tag < 0 ? name : name.substring(0, tag);
    }

    Workload read(String service) {
        JsonNode workload = manifests.find("Deployment", service)
                .or(() -> manifests.find("StatefulSet", service))
                .orElseThrow(() -> new IllegalArgumentException("no Deployment or StatefulSet named " + service));
        String kind = workload.path("kind").asText();
        String origin = kind + " " + service;
        boolean statefulSet = kind.equals("StatefulSet");
        String podName = statefulSet ? service + "-0" : service + "-replay";
        JsonNode pod = workload.path("spec").path("template").path("spec");
        JsonNode container = null;
        for (JsonNode candidate : pod.path("containers")) {
            if (service.equals(candidate.path("name").asText())) {
                container = candidate;
            }
        }
        if (container == null) {
            throw new IllegalArgumentException(origin + " has no container named " + service);
        }
        for (JsonNode init : pod.path("initContainers")) {
            notes.add(origin + ": init container " + init.path("name").asText() + " (" + init.path("image").asText()
                    + ") not run: its image and network are not here");
        }
        Map<String, String> env = new LinkedHashMap<>(ImageDefinition.of(repoRoot,
                module(container.path("image").asText(service))).environment());
        for (JsonNode source : container.path("envFrom")) {
            String prefix = source.path("prefix").asText("");
            if (source.has("configMapRef")) {
                configMap(source.path("configMapRef"), origin).ifPresent(data -> data.forEach((k, v) ->
                        env.put(prefix + k, v)));
            } else if (source.has("secretRef")) {
                secret(source.path("secretRef"), origin).ifPresent(data -> data.forEach((k, v) ->
                        env.put(prefix + k, new String(v, StandardCharsets.UTF_8))));
            }
        }
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            if (variable.has("value")) {
                env.put(name, expand(variable.path("value").asText(), env));
            } else {
                resolve(variable.path("valueFrom"), container, podName, workload, origin + " env " + name)
                        .ifPresent(value -> env.put(name, value));
            }
        }
        if (container.path("resources").path("limits").has(GPU)) {
            // The CUDA image cannot run here; the CPU image's settings stand in for its own, and the service is told
            // so instead of refusing to start for want of a GPU.
            notes.add(origin + ": asks for a GPU (" + container.path("image").asText() + "); replayed with the CPU"
                    + " image's settings and TRAINER_DEVICE=cpu");
            env.put("TRAINER_DEVICE", "cpu");
        }
        Map<String, Path> volumes = volumes(pod, workload, service, statefulSet, origin);
        List<Workload.Mount> mounts = new ArrayList<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            Path volume = volumes.get(mount.path("name").asText());
            if (volume == null) {
                throw new IllegalArgumentException(origin + " mounts volume " + mount.path("name").asText()
                        + ", which the pod does not define");
            }
            Path local = mount.has("subPath") ? volume.resolve(mount.path("subPath").asText()) : volume;
            mkdirs(local);
            mounts.add(new Workload.Mount(mount.path("mountPath").asText(), local));
        }
        mounts.sort(Comparator.comparingInt((Workload.Mount m) -> m.containerPath().length()).reversed());
        String memory = Manifests.text(container.path("resources").path("limits").path("memory"));
        return new Workload(service, origin, env, List.copyOf(mounts),
                memory == null ? OptionalLong.empty() : OptionalLong.of(Quantities.bytes(memory)));
    }

    private Optional<String> resolve(JsonNode valueFrom, JsonNode container, String podName, JsonNode workload,
                                     String what) {
        if (valueFrom.has("configMapKeyRef")) {
            JsonNode ref = valueFrom.path("configMapKeyRef");
            return configMap(ref, what).map(data -> data.get(ref.path("key").asText()))
                    .or(() -> missing(ref, "ConfigMap", what));
        }
        if (valueFrom.has("secretKeyRef")) {
            JsonNode ref = valueFrom.path("secretKeyRef");
            return secret(ref, what).map(data -> data.get(ref.path("key").asText()))
                    .map(bytes -> new String(bytes, StandardCharsets.UTF_8))
                    .or(() -> missing(ref, "Secret", what));
        }
        if (valueFrom.has("resourceFieldRef")) {
            JsonNode ref = valueFrom.path("resourceFieldRef");
            String[] field = ref.path("resource").asText().split("\\.", 2);
            String quantity = Manifests.text(container.path("resources").path(field[0]).path(field[1]));
            if (quantity == null) {
                throw new IllegalArgumentException(what + " refers to " + ref.path("resource").asText()
                        + ", which the container does not set");
            }
            return Optional.of(Quantities.divide(quantity, ref.path("divisor").asText("1")));
        }
        if (valueFrom.has("fieldRef")) {
            String path = valueFrom.path("fieldRef").path("fieldPath").asText();
            return Optional.of(switch (path) {
                case "metadata.name" -> podName;
                case "metadata.namespace" -> workload.path("metadata").path("namespace").asText("default");
                case "status.podIP", "status.hostIP" -> "127.0.0.1";
                default -> throw new IllegalArgumentException(what + " refers to field " + path
                        + ", which the replay does not know");
            });
        }
        throw new IllegalArgumentException(what + ": a valueFrom the replay does not know: " + valueFrom);
    }

    /** A key that is absent: fine if the reference is optional, a pod that cannot start otherwise. */
    private static Optional<String> missing(JsonNode ref, String kind, String what) {
        if (ref.path("optional").asBoolean(false)) {
            return Optional.empty();
        }
        throw new IllegalArgumentException(what + " needs key " + ref.path("key").asText() + " of " + kind + " "
                + ref.path("name").asText() + ", which does not exist: the pod would not start");
    }

    private Optional<Map<String, String>> configMap(JsonNode ref, String what) {
        String name = ref.path("name").asText();
        Optional<JsonNode> map = manifests.find("ConfigMap", name);
        if (map.isEmpty()) {
            if (ref.path("optional").asBoolean(false)) {
                return Optional.empty();
            }
            throw new IllegalArgumentException(what + " needs ConfigMap " + name + ", which the overlay does not "
                    + "define: the pod would not start");
        }
        Map<String, String> data = new LinkedHashMap<>();
        map.get().path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
        return Optional.of(data);
    }

    private Optional<Map<String, byte[]>> secret(JsonNode ref, String what) {
        String name = ref.has("secretName") ? ref.path("secretName").asText() : ref.path("name").asText();
        Optional<Map<String, byte[]>> data = manifests.find("Secret", name).map(KubernetesWorkloads::secretData)
                .or(() -> secrets.apply(name));
        if (data.isEmpty() && !ref.path("optional").asBoolean(false)) {
            throw new IllegalArgumentException(what + " needs Secret " + name + ", which neither the overlay nor "
                    + "an operator makes, and the deployment guide does not tell users to create: the pod would "
                    + "not start");
        }
        return data;
    }

    private static Map<String, byte[]> secretData(JsonNode secret) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        secret.path("data").fields().forEachRemaining(e -> data.put(e.getKey(),
                Base64.getDecoder().decode(e.getValue().asText())));
        secret.path("stringData").fields().forEachRemaining(e -> data.put(e.getKey(),
                e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
        return data;
    }

    private Map<String, Path> volumes(JsonNode pod, JsonNode workload, String service, boolean statefulSet,
                                      String origin) {
        Map<String, Path> volumes = new LinkedHashMap<>();
        Path podDir = root.resolve("containers").resolve(service);
        for (JsonNode volume : pod.path("volumes")) {
            String name = volume.path("name").asText();
            Path dir = podDir.resolve("volumes").resolve(name);
            if (volume.has("emptyDir")) {
                volumes.put(name, mkdirs(dir));
            } else if (volume.has("persistentVolumeClaim")) {
                volumes.put(name, mkdirs(root.resolve("claims").resolve(
                        volume.path("persistentVolumeClaim").path("claimName").asText())));
            } else if (volume.has("secret")) {
                JsonNode ref = volume.path("secret");
                Map<String, byte[]> data = secret(ref, origin + " volume " + name).orElse(Map.of());
                volumes.put(name, files(dir, data, ref.path("items"), origin + " volume " + name, "Secret "
                        + ref.path("secretName").asText()));
            } else if (volume.has("configMap")) {
                JsonNode ref = volume.path("configMap");
                Map<String, byte[]> data = new LinkedHashMap<>();
                configMap(ref, origin + " volume " + name).orElse(Map.of()).forEach((k, v) ->
                        data.put(k, v.getBytes(StandardCharsets.UTF_8)));
                volumes.put(name, files(dir, data, ref.path("items"), origin + " volume " + name, "ConfigMap "
                        + ref.path("name").asText()));
            } else {
                throw new IllegalArgumentException(origin + " volume " + name + " is of a kind the replay does not "
                        + "know: " + volume);
            }
        }
        if (statefulSet) {
            for (JsonNode template : workload.path("spec").path("volumeClaimTemplates")) {
                String name = template.path("metadata").path("name").asText();
                // The claim a StatefulSet's first pod gets: <template>-<statefulset>-0.
                volumes.put(name, mkdirs(root.resolve("claims").resolve(name + "-" + service + "-0")));
            }
        }
        return volumes;
    }

    /** A Secret's or ConfigMap's keys as files: all of them, or just the {@code items}, each at its path. */
    private static Path files(Path dir, Map<String, byte[]> data, JsonNode items, String what, String source) {
        mkdirs(dir);
        try {
            if (items.isMissingNode() || items.isEmpty()) {
                for (Map.Entry<String, byte[]> entry : data.entrySet()) {
                    Files.write(dir.resolve(entry.getKey()), entry.getValue());
                }
            } else {
                for (JsonNode item : items) {
                    byte[] content = data.get(item.path("key").asText());
                    if (content == null) {
                        throw new IllegalArgumentException(what + " needs key " + item.path("key").asText() + " of "
                                + source + ", which it does not have: the pod would not start");
                    }
                    Path file = dir.resolve(item.path("path").asText());
                    mkdirs(file.getParent());
                    Files.write(file, content);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + what + " into " + dir, e);
        }
        return dir;
    }

    /** Kubernetes' {@code $(VAR)}: a variable defined earlier in the container's environment. */
    private static String expand(String value, Map<String, String> env) {
        Matcher reference = VAR_REFERENCE.matcher(value);
        StringBuilder expanded = new StringBuilder();
        while (reference.find()) {
            String replacement = env.getOrDefault(reference.group(1), reference.group());
            reference.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
        }
        return reference.appendTail(expanded).toString();
    }

    static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
