package io.finetune.preprocess.messaging;

import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreparationFailed;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Where preprocess's output goes. Each send completes when Kafka acknowledged it (acks=all), so the source record is
 * acknowledged, and the manifest published, only once the shards are safe. Keyed by dataset: a dataset's shards and
 * manifest share a partition, so the manifest is read after its shards. Readers look only on that partition
 * ({@code DatasetPartition}, Kafka's default partitioner for the key): keep the key and the default partitioner.
 */
@ApplicationScoped
public class PipelineOutput {
    private final MutinyEmitter<byte[]> shards;
    private final MutinyEmitter<Record<String, String>> deadLetters;

    public PipelineOutput(
            @Channel(Channels.SHARDS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 256)
            MutinyEmitter<byte[]> shards,
            @Channel(Channels.DEAD_LETTERS) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 1024)
            MutinyEmitter<Record<String, String>> deadLetters) {
        this.shards = shards;
        this.deadLetters = deadLetters;
    }

    public Uni<Void> shard(Shard shard) {
        return send(shard.dataset(), ShardCodec.encode(shard), "shard");
    }

    /** The zip of a dataset's own tokenizer files, in chunks that stay under Kafka's record limit. */
    public Uni<Void> tokenizer(String dataset, String build, byte[] zip) {
        List<Uni<Void>> sends = ShardManifest.TokenizerArchive.encode(build, zip).stream()
                .map(chunk -> send(dataset, chunk, ShardManifest.TokenizerArchive.RECORD_TYPE)).toList();
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }

    public Uni<Void> manifest(ShardManifest manifest) {
        return send(manifest.dataset(), Json.write(manifest).getBytes(StandardCharsets.UTF_8),
                ShardManifest.RECORD_TYPE);
    }

    /** Where the manifest would be: ingest's status reads it there (and a new seal may follow). */
    public Uni<Void> failure(PreparationFailed failure) {
        return send(failure.dataset(), Json.write(failure).getBytes(StandardCharsets.UTF_8),
                PreparationFailed.RECORD_TYPE);
    }

    public Uni<Void> deadLetter(DeadLetter letter) {
        return deadLetters.send(Record.of(letter.dataset(), Json.write(letter)));
    }

    private Uni<Void> send(String dataset, byte[] value, String type) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(Topics.HEADER_TYPE, type.getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(dataset).withHeaders(headers).build();
        return shards.sendMessage(Message.of(value).addMetadata(metadata));
    }
}
