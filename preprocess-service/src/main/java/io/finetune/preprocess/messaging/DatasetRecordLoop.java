package io.finetune.preprocess.messaging;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.Topics;
import io.finetune.preprocess.config.PreprocessConfig;
import io.finetune.preprocess.domain.DatasetRegistry;
import io.finetune.preprocess.domain.DatasetSpool;
import io.finetune.preprocess.domain.PartitionLedger;
import io.finetune.preprocess.domain.Spools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.OptionalLong;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Consumes {@link Topics#DATASET_RECORDS} with a plain Kafka consumer on a thread of its own, committing each
 * partition only up to its low watermark ({@link PartitionLedger}): never past the first record of a dataset that is
 * not yet prepared. So a partition that moves to another replica (the HPA scales the StatefulSet, a pod restarts) is
 * read again there from that dataset's first record, and the dataset is prepared from all of its records, not from
 * what happened to be spooled on the new owner's disk. A replica deletes the spools of partitions it gives up, and at
 * start-up those of partitions it was not given.
 *
 * <p>Records are spooled on the poll thread, in partition order. An END marker's preparation (minutes for a large
 * dataset) runs on a worker thread while the poll thread keeps polling with every partition paused, so the consumer
 * stays in its group and takes part in rebalances meanwhile; nothing waits on {@code max.poll.interval.ms}.
 */
@ApplicationScoped
public class DatasetRecordLoop {
    private static final Logger LOG = Logger.getLogger(DatasetRecordLoop.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** Commit metadata: the offset after the last record handled, beside the watermark (which may be far below). */
    private static final String HANDLED_TO = "handled-to=";

    private final RecordHandler handler;
    private final Spools spools;
    private final DatasetRegistry registry;
    private final PreprocessConfig config;
    private final Map<String, Object> kafkaConfig;
    private final MeterRegistry meters;
    private final PartitionLedger ledger = new PartitionLedger();
    /** Committed offsets as last committed, so that only changes are committed. */
    private final Map<Integer, Long> committed = new HashMap<>();
    /** The handled-to committed beside each watermark, so that an END marker handled since is committed too. */
    private final Map<Integer, Long> committedHandledTo = new HashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "preprocess-worker");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean running;
    private volatile boolean joined;
    /** Why the loop ended while it should run, or null: {@link ConsumerHealth} reports it. */
    private volatile String failure;
    /** The dataset whose END marker is being prepared on the worker, or null. Poll thread only. */
    private String preparing;
    private KafkaConsumer<String, String> consumer;
    private Thread thread;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public DatasetRecordLoop(RecordHandler handler, Spools spools, DatasetRegistry registry, PreprocessConfig config,
                             MeterRegistry meters,
                             @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.meters = meters;
        this.handler = handler;
        this.spools = spools;
        this.registry = registry;
        this.config = config;
        this.kafkaConfig = kafkaConfig;
    }

    void onStart(@Observes StartupEvent event) {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        config.groupInstanceId().ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Cooperative: a scale-out moves only the partitions the new replica gets; the others go on being read.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        running = true;
        thread = new Thread(this::run, "preprocess-consumer");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (thread == null) {
            return;
        }
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.MINUTES.toMillis(1));
        // The worker is not interrupted: an interrupted preparation would be published as failed. It is a daemon
        // thread; a preparation cut off by the exit is read again from the committed watermark after the restart.
    }

    /** Whether the consumer has joined its group (it may own no partition: more replicas than partitions). */
    public boolean joined() {
        return joined;
    }

    /** Why consuming stopped while it should run; empty while it runs. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    private void run() {
        // The consumer's meters (lag, last poll, connections), as the SmallRye channel had: dashboards use them.
        try (KafkaConsumer<String, String> closedAtTheEnd = consumer;
             KafkaClientMetrics consumerMeters = new KafkaClientMetrics(consumer)) {
            consumerMeters.bindTo(meters);
            consumer.subscribe(List.of(Topics.DATASET_RECORDS), new Rebalances());
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(POLL);
                handle(records);
                commit();
            }
        } catch (WakeupException e) {
            if (running) {
                stopped(e);
            }
        } catch (RuntimeException | Error e) {
            stopped(e);
        }
    }

    private void stopped(Throwable e) {
        LOG.error("consuming " + Topics.DATASET_RECORDS + " stopped; the uncommitted records are read again after a"
                + " restart", e);
        failure = e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void handle(ConsumerRecords<String, String> records) {
        Map<Integer, PartitionLedger.Ownership> polledUnder = new HashMap<>();
        records.partitions().forEach(tp -> polledUnder.put(tp.partition(), ledger.of(tp.partition())));
        for (TopicPartition tp : records.partitions()) {
            PartitionLedger.Ownership ownership = polledUnder.get(tp.partition());
            for (ConsumerRecord<String, String> record : records.records(tp)) {
                // A partition revoked while an END marker was prepared is not this replica's any more, or is again
                // under a new ownership that reads it from the committed offset: the rest of this batch is stale.
                if (ownership == null || ledger.of(tp.partition()) != ownership) {
                    break;
                }
                handle(record, ownership);
            }
        }
    }

    private void handle(ConsumerRecord<String, String> record, PartitionLedger.Ownership ownership) {
        String origin = "kafka:" + record.topic() + "/" + record.partition() + "@" + record.offset();
        DatasetRecord read = handler.read(record.value(), origin);
        if (read == null) {
            ownership.handled(record.offset()); // a dead letter
        } else if (read.kind() == DatasetRecord.Kind.RECORD) {
            OptionalLong end = ownership.endedBefore(read.dataset(), record.offset());
            if (end.isPresent()) {
                // Spooled, it would open a dataset no END marker closes again and hold the watermark here for good.
                handler.behindEnd(read, end.getAsLong(), origin, record.value());
                ownership.handled(record.offset());
                return;
            }
            // A spool that cannot be written stops the loop: the record is not skipped, a restart reads it again.
            handler.spool(read, record.partition(), record.offset());
            ownership.spooled(read.dataset(), record.offset());
        } else if (read.endsVersion() && read.sealNumber() <= ownership.lastVersion(read.dataset())) {
            // A repeat of a version's END marker: the version is what lies before its first one, prepared already.
            LOG.infof("dataset %s: END marker of version %d at %s repeats an earlier one; the records before it"
                    + " belong to the next version", read.dataset(), read.sealNumber(), origin);
            ownership.versionEnded(read.dataset(), record.offset(), read.sealNumber());
        } else if (read.endsVersion() && ownership.handledEarlier(record.offset())) {
            // Dealt with by an earlier owner; the spool stays: the next version is prepared from all the records.
            ownership.versionEnded(read.dataset(), record.offset(), read.sealNumber());
        } else if (ownership.handledEarlier(record.offset())) {
            // Dealt with by an earlier owner (prepared or failed, outcome published); read again only because an
            // unfinished dataset holds the watermark below it. Its spool, read again up to here, is of no use.
            LOG.debugf("dataset %s: END marker at %s was handled before this replica took the partition", read.dataset(),
                    origin);
            spools.discard(read.dataset());
            registry.forgetReceiving(read.dataset());
            ownership.finished(read.dataset(), record.offset());
        } else {
            prepareWhilePolling(read, record, origin);
            if (ledger.of(record.partition()) == ownership) {
                if (read.endsVersion()) {
                    ownership.versionEnded(read.dataset(), record.offset(), read.sealNumber());
                } else {
                    ownership.finished(read.dataset(), record.offset());
                }
            }
            // A rebalance during the preparation may have taken partitions whose spools were then in use.
            spools.retainOnly(ledger.partitions(), null);
        }
    }

    /**
     * Prepares on the worker while polling with every partition paused, so this replica takes part in rebalances
     * meanwhile and the group never waits on it. A shutdown meanwhile (WakeupException) leaves the dataset marked as
     * being prepared, so closing the consumer does not delete the spool the worker reads.
     */
    private void prepareWhilePolling(DatasetRecord end, ConsumerRecord<String, String> record, String origin) {
        Future<?> outcome = CompletableFuture.runAsync(() -> handler.prepare(end, record.partition(), record.offset(), origin, record.value()), worker);
        preparing = end.dataset();
        consumer.pause(consumer.assignment());
        Throwable failure = awaitPolling(outcome);
        preparing = null;
        consumer.resume(consumer.assignment());
        if (failure != null) {
            failed(end, record, origin, failure);
        }
    }

    /** @return why the preparation failed, or null when it succeeded */
    private Throwable awaitPolling(Future<?> outcome) {
        while (true) {
            try {
                outcome.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                return null;
            } catch (TimeoutException e) {
                ConsumerRecords<String, String> none = consumer.poll(POLL); // paused: rebalance callbacks only
                for (TopicPartition tp : none.partitions()) { // none expected; not handled now, so read them again
                    consumer.seek(tp, none.records(tp).get(0).offset());
                }
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException();
            }
        }
    }

    /**
     * A preparation that failed on Kafka (its shards could not be published): the handler marked the dataset FAILED;
     * the END marker goes to the dead-letter topic with the reason, as the failure strategy of the SmallRye channel
     * that consumed it before did. Anything else (an Error) stops the loop.
     */
    private void failed(DatasetRecord end, ConsumerRecord<String, String> record, String origin, Throwable cause) {
        if (!(cause instanceof RuntimeException)) {
            throw new IllegalStateException("preparing " + origin + " failed", cause);
        }
        LOG.errorf(cause, "handling the END marker at %s failed", origin);
        handler.deadLetter(origin, end.dataset(), "handling-failed",
                cause.getClass().getSimpleName() + ": " + cause.getMessage(), record.value());
    }

    /** Commits each owned partition's low watermark where it moved. */
    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int partition : ledger.partitions()) {
            PartitionLedger.Ownership ownership = ledger.of(partition);
            long watermark = ownership.watermark();
            if (!committed.containsKey(partition) || committed.get(partition) != watermark
                    || ownership.lastEnd() >= committedHandledTo.getOrDefault(partition, 0L)) {
                offsets.put(new TopicPartition(Topics.DATASET_RECORDS, partition), committable(ownership));
            }
        }
        commit(offsets);
    }

    /** The watermark, with how far this replica got beside it: a next owner prepares nothing twice. */
    private static OffsetAndMetadata committable(PartitionLedger.Ownership ownership) {
        return new OffsetAndMetadata(ownership.watermark(), HANDLED_TO + ownership.next());
    }

    /** Where the previous owner got to, from the committed offset's metadata; {@code position} when not known. */
    private static long handledBefore(OffsetAndMetadata committed, long position) {
        String metadata = committed == null ? null : committed.metadata();
        if (metadata != null && metadata.startsWith(HANDLED_TO)) {
            try {
                return Math.max(position, Long.parseLong(metadata.substring(HANDLED_TO.length())));
            } catch (NumberFormatException e) {
                LOG.warnf("ignoring unreadable commit metadata '%s'", metadata);
            }
        }
        return position;
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
            offsets.forEach((tp, offset) -> {
                committed.put(tp.partition(), offset.offset());
                committedHandledTo.put(tp.partition(), handledBefore(offset, offset.offset()));
            });
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // A rebalance in progress, say: the same watermark is committed after the next poll, or on revocation.
            LOG.debugf("commit of %s deferred: %s", offsets, e.getMessage());
        }
    }

    /** Runs inside poll() on the consumer thread. */
    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> previous = partitions.isEmpty() ? Map.of()
                    : consumer.committed(new java.util.HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                long position = consumer.position(tp);
                Map<String, Long> kept = new HashMap<>();
                for (Map.Entry<String, DatasetSpool> spool : spools.ofPartition(tp.partition()).entrySet()) {
                    String dataset = spool.getKey();
                    if (dataset.equals(preparing)) {
                        continue; // being prepared from before it was revoked; that preparation decides its fate
                    }
                    if (spool.getValue().firstOffset() >= position) {
                        kept.put(dataset, spool.getValue().firstOffset()); // complete so far; the rest comes again
                        registry.receiving(dataset, spool.getValue().count());
                    } else {
                        // Spooled before the committed offset passed the dataset: it was finished by another replica
                        // (or failed here before a restart), and this copy may lack what came since.
                        spools.discard(dataset);
                    }
                }
                ledger.assigned(tp.partition(), position, handledBefore(previous.get(tp), position), kept);
                committed.put(tp.partition(), position);
                committedHandledTo.put(tp.partition(), handledBefore(previous.get(tp), position));
                LOG.infof("partition %d assigned: reading from offset %d, %d unfinished dataset(s) spooled here",
                        tp.partition(), position, kept.size());
            }
            if (preparing != null) {
                consumer.pause(partitions);
            }
            List<String> gone = spools.retainOnly(ledger.partitions(), preparing);
            if (!gone.isEmpty()) {
                LOG.infof("deleted the spools of %s: their partitions are read by other replicas", gone);
            }
            joined = true;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : partitions) {
                PartitionLedger.Ownership ownership = ledger.of(tp.partition());
                if (ownership != null) {
                    offsets.put(tp, committable(ownership));
                }
            }
            commit(offsets); // the next owner starts at the first record of every unfinished dataset
            giveUp(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            giveUp(partitions); // not committed: another member may own them already
        }

        private void giveUp(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                PartitionLedger.Ownership ownership = ledger.revoked(tp.partition());
                committed.remove(tp.partition());
                committedHandledTo.remove(tp.partition());
                if (ownership != null) {
                    LOG.infof("partition %d revoked at watermark %d; unfinished datasets %s are read again by its"
                            + " next owner", tp.partition(), ownership.watermark(), ownership.openDatasets());
                }
            }
            if (running || config.groupInstanceId().isEmpty()) {
                spools.retainOnly(ledger.partitions(), preparing);
            }
            // else a static member closing: it expects its partitions back when it restarts (and the spools with
            // them); if it was scaled in, its volume goes with it (k8s) or the spools are deleted when it next starts.
        }
    }
}
