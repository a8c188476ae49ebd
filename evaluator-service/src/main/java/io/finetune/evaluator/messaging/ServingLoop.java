package io.finetune.evaluator.messaging;

import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.KafkaAccess;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.Topics;
import io.finetune.evaluator.serving.Deployments;
import io.finetune.evaluator.serving.RequestBatch;
import io.finetune.evaluator.serving.ServingConfig;
import io.finetune.evaluator.serving.ServingMeters;
import io.finetune.evaluator.serving.ServingModels;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
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
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Answers {@link Topics#INFERENCE_REQUESTS} with {@link Topics#PREDICTIONS}: a thread of its own with plain Kafka
 * clients, so that each poll is one batch through the models. At least once: a poll's offsets are committed only
 * after Kafka acknowledged every prediction and dead letter it produced; a failed send seeks back and answers the
 * batch again (a crash in between answers it twice, with the same request id as key).
 */
@ApplicationScoped
public class ServingLoop {
    private static final Logger LOG = Logger.getLogger(ServingLoop.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration SEND_TIMEOUT = Duration.ofMinutes(2);

    private final ServingConfig config;
    private final Map<String, Object> kafkaConfig;
    private final RequestBatch batch;
    private final ServingMeters meters;
    private final Deployments deployments;
    private volatile boolean running;
    /** Why the loop ended while it should run, or null: {@link ServingLiveness} reports it. */
    private volatile String failure;
    private KafkaConsumer<String, String> consumer;
    private Thread thread;

    /** @param kafkaConfig every {@code kafka.*} setting, security included, as the service's channels get them */
    public ServingLoop(ServingConfig config, Deployments deployments, ServingModels models, ServingMeters meters,
                       @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.meters = meters;
        this.deployments = deployments;
        this.kafkaConfig = kafkaConfig;
        this.batch = new RequestBatch(deployments::all, config.defaultDeployment(), models::label);
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
        try (KafkaConsumer<String, String> closedAtTheEnd = consumer;
             KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            consumer.subscribe(List.of(Topics.INFERENCE_REQUESTS));
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    answer(records, producer);
                }
                deployments.releaseUnused(); // between batches: no batch uses a model it releases
                meters.deployments(deployments.all());
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
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (Prediction p : outcome.predictions()) {
                sends.add(producer.send(new ProducerRecord<>(Topics.PREDICTIONS, p.requestId(), Json.write(p))));
            }
            for (DeadLetter letter : outcome.deadLetters()) {
                LOG.warnf("dead letter %s from %s: %s", letter.reason(), letter.origin(), letter.detail());
                sends.add(producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS, null, Json.write(letter))));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            consumer.commitSync(nextOffsets(records));
            meters.answered(outcome, records.count(), Duration.ofNanos(System.nanoTime() - started));
        } catch (WakeupException e) {
            throw e; // shutting down: the uncommitted batch is answered again by whoever takes the partitions
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.errorf(e, "the answers to %d requests were not acknowledged; answering them again", records.count());
            // Partitions lost to a rebalance meanwhile are answered again by their new owner from the committed offset.
            records.partitions().stream().filter(consumer.assignment()::contains)
                    .forEach(tp -> consumer.seek(tp, records.records(tp).get(0).offset()));
            sleep(config.retryBackoff());
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
