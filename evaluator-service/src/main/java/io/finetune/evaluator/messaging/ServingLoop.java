package io.finetune.evaluator.messaging;

import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.KafkaAccess;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.Topics;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.serving.RequestBatch;
import io.finetune.evaluator.serving.ServingConfig;
import io.finetune.evaluator.serving.ServingMeters;
import io.finetune.evaluator.serving.ServingRole;
import io.finetune.evaluator.serving.ServingSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Answers {@link Topics#INFERENCE_REQUESTS} with {@link Topics#PREDICTIONS}: a thread of its own with plain Kafka
 * clients, so that each poll is one batch through the models. Exactly once for readers that read committed records
 * (Kafka's consume-transform-produce): a batch's predictions, its dead letters and its request offsets are one
 * transaction. A batch whose transaction fails is aborted, so none of its answers is ever visible, and answered
 * again; a crash before the commit leaves an open transaction that the restarted loop aborts (the same
 * {@code serving.transactional-id}), and the requests are answered again from the committed offsets. The evaluator
 * and its serving replicas run this loop alike, in one group, each with its own transactional id; each answers from
 * its {@link ServingSource}.
 */
@ApplicationScoped
public class ServingLoop {
    private static final Logger LOG = Logger.getLogger(ServingLoop.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final ServingConfig config;
    private final Map<String, Object> kafkaConfig;
    private final RequestBatch batch;
    private final ServingMeters meters;
    private final ServingSource source;
    private final String transactionalId;
    private volatile boolean running;
    /** Why the loop ended while it should run, or null: {@link ServingLiveness} reports it. */
    private volatile String failure;
    private KafkaConsumer<String, String> consumer;
    private Thread thread;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public ServingLoop(ServingConfig config, EvaluatorConfig evaluator, ServingSource source, ServingMeters meters,
                       @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.meters = meters;
        this.source = source;
        this.kafkaConfig = kafkaConfig;
        this.transactionalId = ServingRole.transactionalId(evaluator.role(), config.transactionalId());
        this.batch = new RequestBatch(source, config.defaultDeployment(), transactionalId);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("serving is disabled (serving.enabled=false): inference requests are left to other replicas");
            return;
        }
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAccess.SERVING_GROUP);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A new group answers what is on the topic already rather than skip it: nothing sent is lost.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxBatch());
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        running = true;
        thread = new Thread(this::run, "serving");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (thread == null) {
            return;
        }
        running = false;
        consumer.wakeup();
        thread.join(TimeUnit.MINUTES.toMillis(1));
    }

    private void run() {
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        try (KafkaConsumer<String, String> closedAtTheEnd = consumer;
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            // Aborts a transaction a killed predecessor left open, and fences it should it still be running.
            if (!untilDone("starting the serving producer's transactions", producer::initTransactions)) {
                return;
            }
            // A replica joins the group once it knows every deployment and has its model: before, it would refuse
            // requests another member could answer.
            while (running && !source.ready()) {
                sleep(POLL);
            }
            consumer.subscribe(List.of(Topics.INFERENCE_REQUESTS));
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    answer(records, producer);
                }
                source.releaseUnused(); // between batches: no batch uses a model it releases
                meters.deployments(source.deployments());
            }
        } catch (WakeupException e) {
            if (running) {
                stopped(e);
            }
        } catch (RuntimeException e) {
            stopped(e);
        }
    }

    /** Why serving stopped while it should run (the broker refused the group, say); empty while it runs. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    private void stopped(RuntimeException e) {
        LOG.error("serving stopped: inference requests are no longer answered", e);
        failure = e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void answer(ConsumerRecords<String, String> records, KafkaProducer<String, String> producer) {
        long started = System.nanoTime();
        List<RequestBatch.Incoming> incoming = new ArrayList<>();
        records.forEach(r -> incoming.add(new RequestBatch.Incoming(r.value(), r.timestamp(),
                "kafka:" + r.topic() + "/" + r.partition() + "@" + r.offset())));
        RequestBatch.Outcome outcome = batch.answer(incoming);
        try {
            producer.beginTransaction();
            for (Prediction p : outcome.predictions()) {
                producer.send(new ProducerRecord<>(Topics.PREDICTIONS, p.requestId(), Json.write(p)));
            }
            for (DeadLetter letter : outcome.deadLetters()) {
                LOG.warnf("dead letter %s from %s: %s", letter.reason(), letter.origin(), letter.detail());
                producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS, null, Json.write(letter)));
            }
            // The offsets go with the answers: both are visible, or neither. The group's generation goes too, so
            // a replica that lost these partitions to a rebalance cannot commit them (KIP-447).
            producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
            // A commit that timed out may still go through, and only a retry tells (Kafka refuses an abort then).
            if (!untilDone("committing a batch's answers", producer::commitTransaction)) {
                return; // shutting down with the commit's fate unknown: the next start settles it
            }
            meters.answered(outcome, records.count(), Duration.ofNanos(System.nanoTime() - started));
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
                 | UnsupportedVersionException e) {
            throw e; // this producer can do nothing more: serving stops and the liveness check says why
        } catch (KafkaException e) {
            // A send the broker refused, a rebalance that moved the partitions, the coordinator away: none of the
            // batch's answers becomes visible, and its requests are answered again.
            LOG.errorf(e, "the answers to %d requests were not committed; answering them again", records.count());
            if (!untilDone("aborting a batch's answers", producer::abortTransaction)) {
                return;
            }
            // Partitions lost to a rebalance meanwhile are answered again by their new owner from the committed offset.
            records.partitions().stream().filter(consumer.assignment()::contains)
                    .forEach(tp -> consumer.seek(tp, records.records(tp).get(0).offset()));
            sleep(config.retryBackoff());
        }
    }

    /**
     * Runs a step of the transaction again while it times out (the broker away for longer than
     * {@code max.block.ms}: Kafka says each of these steps is safe to retry), so that an outage delays answers
     * instead of stopping serving; false when shutdown came first.
     */
    private boolean untilDone(String step, Runnable action) {
        while (true) {
            try {
                action.run();
                return true;
            } catch (TimeoutException e) {
                if (!running) {
                    return false;
                }
                LOG.warnf("%s timed out (%s); trying again", step, e.getMessage());
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, String> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, String>> polled = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(polled.get(polled.size() - 1).offset() + 1));
        }
        return offsets;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
