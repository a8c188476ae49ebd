package io.finetune.ingest.messaging;

import io.finetune.ingest.config.IngestConfig;
import io.finetune.ingest.domain.DatasetRegistry;
import io.finetune.ingest.domain.RecordValidator;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * Records that users push straight onto {@code finetune.ingest.raw}. The source record is acknowledged only after
 * its outcome (accepted record or dead letter) and its count are safely in Kafka, so a crash redelivers rather than
 * loses it.
 */
@ApplicationScoped
public class RawRecordConsumer {
    private final RecordValidator validator;
    private final RecordIntake intake;
    private final DatasetRegistry registry;

    public RawRecordConsumer(IngestConfig config, DatasetRegistry registry, RecordIntake intake) {
        this.validator = new RecordValidator(config.maxRecordBytes(), registry::definition);
        this.intake = intake;
        this.registry = registry;
    }

    @Incoming(Channels.RAW_RECORDS)
    public CompletionStage<Void> consume(KafkaRecord<String, byte[]> record) {
        String origin = record.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(m -> "kafka:" + m.getTopic() + "/" + m.getPartition() + "@" + m.getOffset())
                .orElse("kafka:" + record.getTopic());
        byte[] value = record.getPayload();
        String payload = value == null ? null : new String(value, StandardCharsets.UTF_8);
        // Acknowledged once its count is published too (within ingest.registry.publish-interval), so a committed
        // offset never hides a count lost in a crash; the next record does not wait for that.
        return intake.handleRaw(validator.validateRaw(value, record.getKey()), record.getKey(), origin, payload)
                .subscribeAsCompletionStage()
                .thenAccept(done -> registry.countsPublished().thenCompose(published -> record.ack()))
                .exceptionallyCompose(failure -> record.nack(failure));
    }
}
