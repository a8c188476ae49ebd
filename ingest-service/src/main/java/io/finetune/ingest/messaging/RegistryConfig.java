package io.finetune.ingest.messaging;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

/** The shared dataset registry on {@code finetune.ingest.datasets} (docs/ingest.md, "Scale"). */
@ConfigMapping(prefix = "ingest.registry")
public interface RegistryConfig {
    /**
     * This replica's name in the registry: its counts are published under it and read back after a restart. Must be
     * unique among live replicas and stable across restarts of one (a StatefulSet pod name); default the host name.
     */
    Optional<String> replicaId();

    /** How often changed counts are published; a crash loses at most this much of counting on REST uploads. */
    @WithDefault("500ms")
    Duration publishInterval();

    /** How long a request waits for the registry to be read at start-up, or for a create or seal to be decided. */
    @WithDefault("60s")
    Duration waitLimit();

    default String replica() {
        return replicaId().filter(id -> !id.isBlank()).orElseGet(RegistryConfig::hostName);
    }

    static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("no host name: set ingest.registry.replica-id", e);
        }
    }
}
