package io.finetune.local.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a service's {@code src/main/docker/Dockerfile.jvm} gives its container beyond the manifests: the final
 * stage's {@code ENV} (the base of the container's environment) and the entrypoint, which must be the one the
 * replay knows how to run ({@code java $JAVA_OPTS $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar}).
 */
public record ImageDefinition(Map<String, String> environment) {
    static final String ENTRYPOINT =
            "ENTRYPOINT [\"/bin/sh\", \"-c\", \"exec java $JAVA_OPTS $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar\"]";
    /** Where the image puts the service's quarkus-app. */
    static final String APP_DIR = "/deployments";

    public static ImageDefinition of(Path repoRoot, String service) {
        Path dockerfile = repoRoot.resolve(service).resolve("src/main/docker/Dockerfile.jvm");
        try {
            return parse(Files.readString(dockerfile), dockerfile.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dockerfile, e);
        }
    }

    static ImageDefinition parse(String dockerfile, String name) {
        List<String> instructions = instructions(dockerfile);
        int lastFrom = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).startsWith("FROM ")) {
                lastFrom = i;
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        boolean entrypoint = false;
        for (String instruction : instructions.subList(lastFrom, instructions.size())) {
            if (instruction.startsWith("ENV ")) {
                env.putAll(assignments(instruction.substring(4), name));
            } else if (instruction.startsWith("ENTRYPOINT ")) {
                if (!instruction.equals(ENTRYPOINT)) {
                    throw new IllegalStateException(name + ": the replay runs images whose entrypoint is " + ENTRYPOINT
                            + ", not " + instruction);
                }
                entrypoint = true;
            }
        }
        if (!entrypoint) {
            throw new IllegalStateException(name + " has no ENTRYPOINT in its final stage");
        }
        return new ImageDefinition(Map.copyOf(env));
    }

    /** Instructions with continuation lines joined and comments dropped. */
    private static List<String> instructions(String dockerfile) {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : dockerfile.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            if (!current.isEmpty()) {
                instructions.add(current.toString().strip());
            }
            current.setLength(0);
        }
        return instructions;
    }

    /** {@code A=b C="x y"}: the key=value form of ENV, values optionally double-quoted. */
    static Map<String, String> assignments(String text, String name) {
        Map<String, String> values = new LinkedHashMap<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= text.length()) {
                break;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0) {
                throw new IllegalStateException(name + ": ENV without '=' (the legacy 'ENV KEY value' form is not read):"
                        + " " + text);
            }
            String key = text.substring(i, eq);
            StringBuilder value = new StringBuilder();
            i = eq + 1;
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (i < text.length() && text.charAt(i) != '"') {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i++));
                }
                i++; // the closing quote
            } else {
                while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
                    value.append(text.charAt(i++));
                }
            }
            values.put(key, value.toString());
        }
        return values;
    }
}
