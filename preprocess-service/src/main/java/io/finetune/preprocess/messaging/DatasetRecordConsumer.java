package io.finetune.preprocess.messaging;

import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Consumes {@code finetune.dataset.records}. Every record is handled on one dedicated worker thread: spooling is
 * file I/O and preparation is minutes of CPU, neither belongs on the event loop, and one thread keeps each dataset's
 * records in order. The source record is acknowledged only after its outcome is safe; a failure nacks it, and the
 * dead-letter-queue failure strategy keeps it rather than blocking the stream.
 */
@ApplicationScoped
public class DatasetRecordConsumer {
    private final RecordHandler handler;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "preprocess-worker");
        thread.setDaemon(true);
        return thread;
    });

    public DatasetRecordConsumer(RecordHandler handler) {
        this.handler = handler;
    }

    @Incoming(Channels.DATASET_RECORDS)
    public CompletionStage<Void> consume(KafkaRecord<String, String> record) {
        var metadata = record.getMetadata(IncomingKafkaRecordMetadata.class);
        int partition = metadata.map(IncomingKafkaRecordMetadata::getPartition).orElse(-1);
        long offset = metadata.map(IncomingKafkaRecordMetadata::getOffset).orElse(-1L);
        String origin = metadata.map(m -> "kafka:" + m.getTopic() + "/" + m.getPartition() + "@" + m.getOffset())
                .orElse("kafka:" + record.getTopic());
        return CompletableFuture.runAsync(() -> handler.handle(record.getPayload(), partition, offset, origin), worker)
                .thenCompose(done -> record.ack())
                .exceptionallyCompose(failure -> record.nack(failure instanceof java.util.concurrent.CompletionException
                        && failure.getCause() != null ? failure.getCause() : failure));
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}
