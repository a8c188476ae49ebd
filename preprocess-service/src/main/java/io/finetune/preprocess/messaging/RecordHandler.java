package io.finetune.preprocess.messaging;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreparationFailed;
import io.finetune.contracts.SafeNames;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.Topics;
import io.finetune.preprocess.domain.DatasetPreparer;
import io.finetune.preprocess.domain.DatasetRegistry;
import io.finetune.preprocess.domain.DatasetSpool;
import io.finetune.preprocess.domain.PreparationFailure;
import io.finetune.preprocess.domain.PreparationOptions;
import io.finetune.preprocess.domain.SpooledRecord;
import io.finetune.preprocess.domain.Spools;
import io.finetune.preprocess.config.PreprocessConfig;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What happens to one record of {@code finetune.dataset.records}. Blocking by design: it runs on the preprocess
 * worker thread, never on the event loop, and returns only when its outcome is safe (spooled, or shards and manifest
 * acknowledged by Kafka, or dead letter acknowledged), so the caller may then acknowledge the source record.
 */
@ApplicationScoped
public class RecordHandler {
    static final String SERVICE = "preprocess-service";
    private static final Logger LOG = Logger.getLogger(RecordHandler.class);

    private final Spools spools;
    private final ShardReader shards;
    private final PartitionRereader rereader;
    private final DatasetRegistry registry;
    private final DatasetPreparer preparer;
    private final PreparationOptions defaults;
    private final PipelineOutput output;
    private final PreprocessMetrics metrics;
    private final int shardsInFlight;

    public RecordHandler(Spools spools, DatasetRegistry registry, DatasetPreparer preparer,
                         PreparationOptions defaults, PipelineOutput output, PreprocessMetrics metrics,
                         PreprocessConfig config, ShardReader shards,
                         @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.shards = shards;
        this.rereader = new PartitionRereader(kafkaConfig);
        this.spools = spools;
        this.registry = registry;
        this.preparer = preparer;
        this.defaults = defaults;
        this.output = output;
        this.metrics = metrics;
        this.shardsInFlight = Math.max(1, config.shardsInFlight());
    }

    /**
     * Reads one record: a dataset's RECORD or END marker, or a dead letter for anything else.
     *
     * @param origin where the record came from, e.g. "kafka:finetune.dataset.records/0@42"
     * @return the record, or null when it went to the dead-letter topic
     */
    public DatasetRecord read(String payload, String origin) {
        metrics.recordConsumed();
        if (payload == null || payload.isBlank()) {
            deadLetter(origin, null, "empty-record", "the record has no value (or it could not be deserialised)",
                    payload);
            return null;
        }
        DatasetRecord record;
        try {
            record = Json.read(payload, DatasetRecord.class);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            deadLetter(origin, null, "invalid-json", e.getMessage(), payload);
            return null;
        }
        if (record == null || record.dataset() == null) {
            deadLetter(origin, null, "missing-dataset", "the record names no dataset", payload);
        } else if (!SafeNames.isSafe(record.dataset())) {
            deadLetter(origin, null, "invalid-dataset-name", "dataset name '" + record.dataset()
                    + "' must be 1-128 letters, digits, '.', '_' or '-'", payload);
        } else if (record.kind() == null) {
            deadLetter(origin, record.dataset(), "missing-kind", "'kind' must be RECORD or END", payload);
        } else {
            return record;
        }
        return null;
    }

    /**
     * Appends a RECORD to its dataset's spool, unless its offset was spooled already (the record was read again).
     *
     * @param offset the source offset in {@code partition}, so a record read again is not spooled twice (-1: unknown)
     */
    public void spool(DatasetRecord record, int partition, long offset) {
        DatasetSpool spool = spools.of(record.dataset());
        spool.append(new SpooledRecord(partition, offset, record.id(), record.text(), record.label(), record.split(),
                record.originKind()));
        registry.receiving(record.dataset(), spool.count());
    }

    /**
     * A RECORD read after its dataset's END marker: not in the dataset. Ingest refused it (a seal overtook its send)
     * or it was pushed onto the topic after the seal; either way it goes to the dead-letter topic with the reason.
     */
    public void behindEnd(DatasetRecord record, long endOffset, String origin, String payload) {
        deadLetter(origin, record.dataset(), "dataset-sealed", "record '" + record.id() + "' of dataset "
                + record.dataset() + " arrived after its END marker (offset " + endOffset + " of this partition):"
                + " the dataset was sealed before it, so it is not in the dataset", payload);
    }

    /**
     * Prepares the dataset an END marker seals, or fails it with the reason; returns once the outcome is safe.
     *
     * @param partition the END marker's partition, where the dataset's records are
     * @param offset    the END marker's offset: the dataset's records are before it
     */
    public void prepare(DatasetRecord end, int partition, long offset, String origin, String payload) {
        String dataset = end.dataset();
        DatasetSpool spool = spools.of(dataset);
        // A version of a continuous dataset is every record of it before its END marker; the spool may hold more.
        boolean version = end.endsVersion();
        long before = version && offset >= 0 ? offset : Long.MAX_VALUE;
        long received = version ? spool.countBefore(before) : spool.count();
        boolean missing = end.accepted() != null && received < end.accepted();
        if (!version && (received == 0 || missing) && isPreparedAlready(dataset)) {
            spools.discard(dataset); // a repeat, read again from the middle of the dataset: nothing to keep
            return;
        }
        if (missing && offset >= 0) {
            // Records behind the committed offset: a failed dataset sealed again after its spool was dropped.
            spools.discard(dataset);
            spool = spools.of(dataset);
            rereader.reread(dataset, partition, offset, spool, version);
            received = version ? spool.countBefore(before) : spool.count();
            missing = received < end.accepted();
        }
        registry.preparing(dataset, received);
        long started = System.nanoTime();
        if (missing) {
            fail(end, received, started, "records-missing", "ingest accepted " + end.accepted() + " records of "
                    + dataset + ", " + received + " are on " + Topics.DATASET_RECORDS + " before its END marker; "
                    + "preparing them would give a dataset short of records the client was told were accepted. "
                    + "Seal it again once the missing records are there (a record that arrives after the END marker "
                    + "counts for the next seal), or upload the dataset again under a new name", origin, payload);
            return;
        }
        try {
            PreparationOptions options = defaults.overriddenBy(end.options()).withStableSplit(version);
            List<Uni<Void>> pending = new ArrayList<>();
            DatasetPreparer.Version ends = version ? new DatasetPreparer.Version(end.sealNumber(), before) : null;
            ShardManifest manifest = preparer.prepare(dataset, spool, end.accepted(), options, ends, shard -> {
                pending.add(output.shard(shard).invoke(metrics::shardPublished));
                if (pending.size() >= shardsInFlight) { // bounded: never more than a few MB of shards in memory
                    awaitAll(pending);
                }
            }, (build, tokenizer) -> pending.add(output.tokenizer(dataset, build, tokenizer)));
            awaitAll(pending);
            // Only now: a reader that finds the manifest finds every shard (and tokenizer chunk) it lists.
            output.manifest(manifest).await().indefinitely();
            manifest.counts().forEach((split, perLabel) ->
                    metrics.examples(split, perLabel.values().stream().mapToInt(Integer::intValue).sum()));
            registry.ready(dataset, received, manifest);
            metrics.preparation("ready").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            LOG.infof("dataset %s build %s ready: %s", dataset, manifest.build(), manifest.shards());
            if (!version) {
                spools.discard(dataset); // a continuous dataset's spool holds the records of its next version too
            }
        } catch (PreparationFailure e) {
            fail(end, received, started, e.reason(), e.getMessage(), origin, payload);
        } catch (RuntimeException | LinkageError e) {
            // LinkageError too: a tokenizer whose native library cannot load must fail the dataset with the reason,
            // not leave it PREPARING forever while the end marker goes to the dead-letter topic unexplained.
            if (isKafkaFailure(e)) {
                registry.failed(dataset, received, "publish-failed", e.getMessage());
                throw e; // nack: the failure strategy keeps the end marker on the dead-letter topic
            }
            LOG.errorf(e, "preparing dataset %s failed", dataset);
            fail(end, received, started, "preparation-failed", e.getClass().getSimpleName() + ": "
                    + e.getMessage(), origin, payload);
        }
    }

    /**
     * A prepared dataset is sealed once, but its END marker can arrive twice: ingest re-sends it when a crash cut its seal
     * short after the marker went out, and Kafka redelivers it when this service crashed after preparing but before
     * committing. The spool is discarded once a dataset is ready, so the repeat finds it empty; preparing that would
     * fail the dataset ("0 records") over a build that is on the shards topic. Its manifest there is the answer.
     */
    private boolean isPreparedAlready(String dataset) {
        Optional<ShardManifest> manifest = shards.latestManifest(dataset);
        if (manifest.isEmpty()) {
            return false; // never prepared: an empty dataset fails as it should
        }
        ShardManifest prepared = manifest.get();
        CleaningReport report = prepared.report();
        long received = report == null || report.steps().isEmpty() ? 0 : report.steps().get(0).before();
        registry.ready(dataset, received, prepared);
        LOG.infof("dataset %s: END marker repeated; already prepared as build %s", dataset, prepared.build());
        return true;
    }

    /**
     * Says why on the shards topic, where ingest looks for the manifest, and on the dead-letter topic. The spool is
     * kept: the dataset may be sealed again with other options (a new END marker, seal number one higher), and this
     * spool is where its records are; ingest takes no records after a seal, so nothing is added to it meanwhile.
     */
    private void fail(DatasetRecord end, long received, long started, String reason, String detail, String origin,
                      String payload) {
        String dataset = end.dataset();
        LOG.warnf("dataset %s (seal %d) not prepared (%s): %s", dataset, end.sealNumber(), reason, detail);
        registry.failed(dataset, received, reason, detail);
        metrics.preparation("failed").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        output.failure(PreparationFailed.of(dataset, end.sealNumber(), reason, detail)).await().indefinitely();
        deadLetter(origin, dataset, reason, detail, payload);
    }

    private static boolean isKafkaFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.kafka.common.KafkaException) {
                return true;
            }
        }
        return false;
    }

    void deadLetter(String origin, String dataset, String reason, String detail, String payload) {
        output.deadLetter(DeadLetter.of(SERVICE, origin, dataset, reason, detail, payload)).await().indefinitely();
        metrics.deadLetter(reason);
    }

    private static void awaitAll(List<Uni<Void>> pending) {
        if (!pending.isEmpty()) {
            Uni.join().all(pending).andFailFast().await().indefinitely();
            pending.clear();
        }
    }
}
