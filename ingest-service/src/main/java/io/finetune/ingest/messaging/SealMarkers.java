package io.finetune.ingest.messaging;

import io.finetune.contracts.Json;
import io.finetune.contracts.PreprocessOptions;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A seal asked for over REST travels the way a kcat user's does: as an end marker on the raw topic, keyed by the
 * dataset. It lands on the partition of the dataset's raw records and behind every one pushed before it, and the
 * raw consumer handles a partition in order, so no record pushed before the seal can reach preprocess after the
 * END marker. Sealing directly from the REST thread could overtake records still waiting on the raw topic (a busy
 * or restarting consumer), and preprocess would never see them.
 */
@ApplicationScoped
public class SealMarkers {
    private final MutinyEmitter<Record<String, String>> markers;

    public SealMarkers(@Channel(Channels.SEAL_MARKERS) MutinyEmitter<Record<String, String>> markers) {
        this.markers = markers;
    }

    /** Completes once Kafka acknowledged the marker. */
    public Uni<Void> send(String dataset, PreprocessOptions options) {
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("dataset", dataset);
        marker.put("end", true);
        if (options != null) {
            marker.put("options", options);
        }
        return markers.send(Record.of(dataset, Json.write(marker)));
    }
}
