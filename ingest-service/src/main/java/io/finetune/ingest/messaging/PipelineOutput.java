package io.finetune.ingest.messaging;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Where ingest's output goes. Each send completes when Kafka acknowledged it (acks=all), so callers only report a
 * record as accepted, or acknowledge its source, once it is safe.
 */
@ApplicationScoped
public class PipelineOutput {
    private final MutinyEmitter<Record<String, String>> records;
    private final MutinyEmitter<Record<String, String>> deadLetters;

    public PipelineOutput(
            @Channel(Channels.DATASET_RECORDS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
            MutinyEmitter<Record<String, String>> records,
            @Channel(Channels.DEAD_LETTERS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
            MutinyEmitter<Record<String, String>> deadLetters) {
        this.records = records;
        this.deadLetters = deadLetters;
    }

    /** Keyed by dataset: a dataset's records and its end marker stay in order on one partition. */
    public Uni<Void> send(DatasetRecord record) {
        return records.send(Record.of(record.dataset(), Json.write(record)));
    }

    public Uni<Void> deadLetter(DeadLetter letter) {
        return deadLetters.send(Record.of(letter.dataset(), Json.write(letter)));
    }
}
