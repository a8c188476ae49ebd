package io.finetune.local.replay;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One service container as a deployment describes it, resolved: its environment as the container would see it
 * (image ENV, then envFrom, then env; ConfigMap and Secret references filled in), still with container paths and
 * host names, and its volume mounts, each already backed by a local directory.
 *
 * @param service     the module it runs (ingest-service, ...)
 * @param origin      where it came from, for messages ("Deployment trainer-service")
 * @param environment the container's variables
 * @param mounts      the container's mounts, longest path first
 * @param memoryLimit the container's memory limit in bytes, when it has one
 */
public record Workload(String service, String origin, Map<String, String> environment, List<Mount> mounts,
                       OptionalLong memoryLimit) {
    /** A container path backed by a local directory (a volume, a Secret's files, a sub-path of a claim). */
    public record Mount(String containerPath, Path local) {
    }
}
