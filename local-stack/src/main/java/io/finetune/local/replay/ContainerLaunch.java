package io.finetune.local.replay;

import io.finetune.kafka.local.LocalKafka;
import io.finetune.local.ServiceProcess;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a {@link Workload} as its image's entrypoint would ({@code java $JAVA_OPTS $JAVA_OPTS_APPEND -jar
 * quarkus-run.jar}) with nothing but the container's environment, translated to this machine. The translation is
 * the whole difference from a container, and every change is listed in {@link #changes()}:
 * <ul>
 *   <li>host:port names of the broker's listeners become the local broker's addresses;</li>
 *   <li>absolute paths become local directories: a mount's, the image's application folder, the image's libtorch
 *       (extracted from the same native jar the image extracts it from), or else a folder standing for the
 *       container's own file system;</li>
 *   <li>the HTTP port becomes a free local one (four containers may all use one port; processes on one host
 *       cannot);</li>
 *   <li>{@code java.io.tmpdir} and HOME point at the container's {@code /tmp}, and a memory limit becomes
 *       {@code -XX:MaxRAM}, which is what the JVM reads from a container's cgroup.</li>
 * </ul>
 */
final class ContainerLaunch {
    /** The images' user has /tmp as its home (Dockerfile.jvm's useradd). */
    private static final String HOME = "/tmp";
    private static final String LIBTORCH = "/opt/libtorch";

    private final Workload workload;
    private final Path podDir;
    private final Path repoRoot;
    private final Map<String, String> addresses;
    private final Path libtorch;
    private final List<String> changes = new ArrayList<>();

    /**
     * @param addresses the broker's host:port names and the local addresses that stand for them
     * @param libtorch  the directory holding the image's {@code /opt/libtorch} content
     */
    ContainerLaunch(Workload workload, Path root, Path repoRoot, Map<String, String> addresses, Path libtorch) {
        this.workload = workload;
        this.podDir = root.resolve("containers").resolve(workload.service());
        this.repoRoot = repoRoot;
        this.addresses = addresses;
        this.libtorch = libtorch;
    }

    List<String> changes() {
        return changes;
    }

    ServiceProcess process() {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> names = addresses.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        workload.environment().forEach((key, value) -> {
            String local = value;
            for (String name : names) {
                local = local.replace(name, addresses.get(name));
            }
            if (local.startsWith("/")) {
                local = localPath(local).toString();
            }
            if (!local.equals(value)) {
                changes.add(key + ": " + value + " -> " + local);
            }
            env.put(key, local);
        });
        int port = LocalKafka.freePort();
        changes.add("QUARKUS_HTTP_PORT: " + env.getOrDefault("QUARKUS_HTTP_PORT", "(unset, 8080)") + " -> " + port);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        Path tmp = localPath(HOME);
        env.put("HOME", tmp.toString());
        changes.add("HOME (the image user's home " + HOME + ") and java.io.tmpdir -> " + tmp);
        // The host's PATH: the JVM is started by its full path, but a service may run a tool (keytool, sh).
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(words(env.get("JAVA_OPTS")));
        command.addAll(words(env.get("JAVA_OPTS_APPEND")));
        command.add("-Djava.io.tmpdir=" + tmp);
        workload.memoryLimit().ifPresent(bytes -> {
            command.add("-XX:MaxRAM=" + bytes);
            changes.add("memory limit " + bytes + " bytes -> -XX:MaxRAM=" + bytes);
        });
        Path jar = ServiceProcess.jarOf(repoRoot, workload.service());
        command.addAll(List.of("-jar", jar.toString()));
        return ServiceProcess.launch(workload.service(), jar, port, podDir, command, env);
    }

    /** Where a container path lives on this machine. */
    private Path localPath(String containerPath) {
        for (Workload.Mount mount : workload.mounts()) {
            String mountPath = mount.containerPath();
            if (containerPath.equals(mountPath) || containerPath.startsWith(mountPath + "/")) {
                return mount.local().resolve(relative(containerPath, mountPath));
            }
        }
        if (containerPath.equals(ImageDefinition.APP_DIR) || containerPath.startsWith(ImageDefinition.APP_DIR + "/")) {
            return repoRoot.resolve(workload.service()).resolve("target/quarkus-app")
                    .resolve(relative(containerPath, ImageDefinition.APP_DIR));
        }
        if (containerPath.equals(LIBTORCH) || containerPath.startsWith(LIBTORCH + "/")) {
            return libtorch.resolve(relative(containerPath, LIBTORCH));
        }
        Path own = podDir.resolve("fs").resolve(containerPath.substring(1));
        KubernetesWorkloads.mkdirs(own.getParent());
        return own;
    }

    private static String relative(String path, String prefix) {
        return path.length() == prefix.length() ? "" : path.substring(prefix.length() + 1);
    }

    private static List<String> words(String value) {
        return value == null || value.isBlank() ? List.of() : Arrays.asList(value.trim().split("\\s+"));
    }
}
