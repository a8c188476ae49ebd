package io.finetune.contracts;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads a checkpoint back from {@link Topics#CHECKPOINTS}, the one place that keeps every checkpoint: the chunks of
 * its key's partition, joined and verified by contracts' {@link CheckpointAssembler} (as the evaluator does) and
 * unzipped with {@link ModelArchive}. The scan stops at the partition's end offset, so an unknown id ends in "not
 * found", never a wait. A checkpoint published twice (a publisher that crashed and sent it again) is taken from
 * whichever copy completes first; each copy's parts are kept apart by its SHA-256. Chunks are keyed
 * {@code <checkpointId>/<index>} (or, written before the topic was compacted, by the id alone) on the partition of the
 * id; a tombstone means the evaluator released the checkpoint (docs/delivery.md, Retention). The only class that knows
 * how checkpoints are kept on the topic; the trainer warm-starts from it and evaluator-service's serving replicas
 * fetch deployed models with it.
 */
public final class CheckpointTopicReader {
    private final KeyedTopicScan scan;

    /** @param kafkaConfig the service's client settings (the {@code default-kafka-broker} map) */
    public CheckpointTopicReader(Map<String, Object> kafkaConfig) {
        this.scan = new KeyedTopicScan(kafkaConfig);
    }

    /**
     * Writes the checkpoint's model directory (config.json, model.safetensors, tokenizer files, checkpoint.json) to
     * {@code target}, a directory that does not exist yet.
     */
    public CheckpointLookup copyTo(String checkpointId, Path target) {
        Path parts = target.resolveSibling(target.getFileName() + ".parts");
        try {
            AtomicReference<Path> archive = new AtomicReference<>();
            AtomicReference<String> problem = new AtomicReference<>();
            AtomicReference<String> released = new AtomicReference<>();
            KeyedTopicScan.Extent extent = scan.scan(Topics.CHECKPOINTS, checkpointId,
                    key -> checkpointId.equals(CheckpointChunk.checkpointIdOf(key)), record -> {
                if (record.value() == null) {
                    // A tombstone: the evaluator released this checkpoint. Whatever was gathered of it is gone from
                    // the topic once compacted; chunks after it are a publication of their own (a resumed job).
                    released.set(releasedBy(record));
                    Directories.delete(parts);
                    return true;
                }
                CheckpointChunk chunk;
                try {
                    chunk = CheckpointChunk.decode(record.value());
                } catch (IllegalArgumentException e) {
                    problem.set("offset " + record.offset() + ": " + e.getMessage());
                    return true; // a corrupt record: a later copy may be whole
                }
                try {
                    new CheckpointAssembler(parts.resolve(chunk.sha256())).accept(chunk).ifPresent(archive::set);
                } catch (IllegalStateException e) { // failed verification: a chunk lost or altered
                    problem.set(e.getMessage());
                    Directories.delete(parts.resolve(chunk.sha256()));
                }
                return archive.get() == null;
            });
            if (archive.get() == null) {
                return new CheckpointLookup(false, extent.describe() + (released.get() == null ? ""
                        : ", which released it ("
                        + released.get() + "): warm-start from a checkpoint still kept, such as a deployed one or a"
                        + " job's final one") + (problem.get() == null ? "" : ", where a copy was unreadable: "
                        + problem.get()));
            }
            try (InputStream in = Files.newInputStream(archive.get())) {
                ModelArchive.unzip(in, target);
            }
            return new CheckpointLookup(true, extent.describe());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract checkpoint " + checkpointId + " to " + target, e);
        } finally {
            if (Files.exists(parts)) {
                Directories.delete(parts);
            }
        }
    }

    private static String releasedBy(ConsumerRecord<String, byte[]> tombstone) {
        Header why = tombstone.headers().lastHeader(CheckpointChunk.HEADER_RELEASED);
        return why == null ? "a tombstone at offset " + tombstone.offset()
                : new String(why.value(), StandardCharsets.UTF_8);
    }
}
