package io.finetune.local.replay;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The services of a compose configuration (the output of {@code docker-compose config}, variables already
 * substituted) as the engine would start them: image ENV overlaid with the service's {@code environment}, and its
 * named volumes as directories shared by every service that mounts them.
 */
final class ComposeWorkloads {
    private final JsonNode config;
    private final Path root;
    private final Path repoRoot;
    private final List<String> notes = new ArrayList<>();

    ComposeWorkloads(JsonNode config, Path root, Path repoRoot) {
        this.config = config;
        this.root = root;
        this.repoRoot = repoRoot;
    }

    List<String> notes() {
        return notes;
    }

    Workload read(String service) {
        JsonNode definition = config.path("services").path(service);
        if (definition.isMissingNode()) {
            throw new IllegalArgumentException("the compose file has no service " + service);
        }
        String origin = "compose service " + service;
        definition.path("depends_on").fieldNames().forEachRemaining(dependency -> {
            if (!config.path("services").path(dependency).has("build") && !"kafka".equals(dependency)
                    && !"kafka-topics".equals(dependency)) {
                notes.add(origin + ": dependency " + dependency + " (" + config.path("services").path(dependency)
                        .path("image").asText() + ") not run: its image and network are not here");
            }
        });
        Map<String, String> env = new LinkedHashMap<>(ImageDefinition.of(repoRoot, service).environment());
        definition.path("environment").fields().forEachRemaining(e -> env.put(e.getKey(),
                e.getValue().isNull() ? "" : e.getValue().asText()));
        if (definition.path("deploy").path("resources").path("reservations").path("devices").toString()
                .contains("gpu")) {
            notes.add(origin + ": asks for a GPU (" + definition.path("image").asText() + "); replayed with the CPU"
                    + " image's settings and TRAINER_DEVICE=cpu");
            env.put("TRAINER_DEVICE", "cpu");
        }
        List<Workload.Mount> mounts = new ArrayList<>();
        for (JsonNode volume : definition.path("volumes")) {
            String source;
            String target;
            String type;
            if (volume.isTextual()) {
                String[] parts = volume.asText().split(":");
                source = parts[0];
                target = parts[1];
                type = source.startsWith("/") || source.startsWith(".") ? "bind" : "volume";
            } else {
                source = volume.path("source").asText();
                target = volume.path("target").asText();
                type = volume.path("type").asText("volume");
            }
            if (!"volume".equals(type)) {
                throw new IllegalArgumentException(origin + " mounts " + type + " " + source + ": the replay knows "
                        + "named volumes only");
            }
            mounts.add(new Workload.Mount(target, KubernetesWorkloads.mkdirs(root.resolve("claims").resolve(source))));
        }
        mounts.sort(Comparator.comparingInt((Workload.Mount m) -> m.containerPath().length()).reversed());
        String memory = definition.path("mem_limit").asText(
                definition.path("deploy").path("resources").path("limits").path("memory").asText(""));
        return new Workload(service, origin, env, List.copyOf(mounts),
                memory.isEmpty() ? OptionalLong.empty() : OptionalLong.of(composeBytes(memory)));
    }

    /** Compose writes memory as bytes or with b/k/m/g suffixes (powers of 1024). */
    private static long composeBytes(String memory) {
        String lower = memory.toLowerCase();
        long factor = switch (lower.charAt(lower.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        String number = factor == 1 ? lower.replaceAll("b$", "") : lower.substring(0, lower.length() - 1);
        return (long) (Double.parseDouble(number) * factor);
    }
}
