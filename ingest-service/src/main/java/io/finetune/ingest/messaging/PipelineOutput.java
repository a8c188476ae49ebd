package io.finetune.ingest.messaging;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.concurrent.CompletableFuture;

/**
 * Where ingest's output goes. Each send completes when Kafka acknowledged it (acks=all), so callers only report a
 * record as accepted, or acknowledge its source, once it is safe.
 */
@ApplicationScoped
public class PipelineOutput {
    private final MutinyEmitter<Record<String, String>> records;
    private final MutinyEmitter<Record<String, String>> deadLetters;
    private final KafkaClientService clients;
    private final String recordsTopic;
    private volatile Producer<String, String> recordsProducer;

    public PipelineOutput(KafkaClientService clients,
            @ConfigProperty(name = "mp.messaging.outgoing." + Channels.DATASET_RECORDS + ".topic") String recordsTopic,

            @Channel(Channels.DATASET_RECORDS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
            MutinyEmitter<Record<String, String>> records,
            @Channel(Channels.DEAD_LETTERS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 20_000)
            MutinyEmitter<Record<String, String>> deadLetters) {
        this.records = records;
        this.deadLetters = deadLetters;
        this.clients = clients;
        this.recordsTopic = recordsTopic;
    }

    /**
     * Keyed by dataset: a dataset's records and its END marker share one partition. Straight on the channel's Kafka
     * producer (the emitter only keeps the channel, and so its producer, wired): bulk uploads send hundreds of
     * thousands of records, and the emitter's per-message Uni, context capture and sending thread cost more CPU than
     * the send itself, and do not say where a record landed.
     * Completes with the record's place (partition and offset) when Kafka acknowledged it: whether it is in its
     * dataset depends on where it landed against the END marker ({@link RecordIntake}).
     */
    public CompletableFuture<RecordMetadata> sendNow(DatasetRecord record) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        producer().send(new ProducerRecord<>(recordsTopic, record.dataset(), Json.write(record)), (metadata, error) -> {
            if (error == null) {
                done.complete(metadata);
            } else {
                done.completeExceptionally(error);
            }
        });
        return done;
    }

    private Producer<String, String> producer() {
        Producer<String, String> producer = recordsProducer;
        if (producer == null) {
            producer = clients.<String, String>getProducer(Channels.DATASET_RECORDS).unwrap();
            recordsProducer = producer;
        }
        return producer;
    }

    public Uni<Void> deadLetter(DeadLetter letter) {
        return deadLetters.send(Record.of(letter.dataset(), Json.write(letter)));
    }
}
