package io.finetune.evaluator.messaging;

import io.finetune.contracts.Json;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.Topics;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.domain.TestEvaluatorConfig;
import io.finetune.evaluator.domain.TextClassifier;
import io.finetune.evaluator.serving.ServedDeployment;
import io.finetune.evaluator.serving.ServingConfig;
import io.finetune.evaluator.serving.ServingSource;
import io.finetune.evaluator.serving.TestServingMeters;
import io.finetune.kafka.local.LocalKafka;
import io.finetune.kafka.local.TopicTail;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The evaluator and a serving replica, or two replicas, on a real broker: two serving loops in the group
 * {@code evaluator-serving}, each with its own transactional id, share the requests topic's partitions, and every
 * request is answered exactly once for a read-committed reader. (One id for both would fence one of them.)
 */
class ServingLoopsShareRequestsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;
    private static LocalKafka kafka;

    @BeforeAll
    static void start() {
        kafka = LocalKafka.onFreePort(tmp.resolve("kafka")).start().ensureTopics();
    }

    @AfterAll
    static void stop() {
        kafka.stop();
    }

    /** Labels every text "A" and counts what it labeled: the model is not what this test is about. */
    private record Counting(AtomicInteger labeled) implements ServingSource {
        private record Served(String name, String checkpoint, List<String> textFields) implements ServedDeployment {
        }

        @Override
        public List<? extends ServedDeployment> deployments() {
            return List.of(new Served("shared", "ckpt-1", null));
        }

        @Override
        public List<TextClassifier.Prediction> label(String checkpoint, List<String> texts) {
            labeled.addAndGet(texts.size());
            return texts.stream().map(t -> new TextClassifier.Prediction("A", Map.of("A", 1.0), 1, false)).toList();
        }

        @Override
        public void releaseUnused() {
        }

        @Override
        public boolean ready() {
            return true;
        }
    }

    private static ServingLoop loop(String transactionalId, Counting source) {
        ServingConfig config = new ServingConfig() {
            public boolean enabled() {
                return true;
            }

            public int maxBatch() {
                return 8;
            }

            public Optional<String> defaultDeployment() {
                return Optional.empty();
            }

            public String transactionalId() {
                return transactionalId;
            }

            public Duration retryBackoff() {
                return Duration.ofSeconds(1);
            }
        };
        EvaluatorConfig evaluator = TestEvaluatorConfig.in(tmp.resolve(transactionalId));
        return new ServingLoop(config, evaluator, source, TestServingMeters.in(new SimpleMeterRegistry()),
                Map.of("bootstrap.servers", kafka.bootstrapServers()));
    }

    @Test
    void twoLoopsWithIdsOfTheirOwnShareTheRequestsAndAnswerEachOnce() throws Exception {
        Counting a = new Counting(new AtomicInteger());
        Counting b = new Counting(new AtomicInteger());
        ServingLoop first = loop("evaluator-serving", a);
        ServingLoop second = loop("evaluator-serving-0", b);
        first.onStart(new StartupEvent());
        second.onStart(new StartupEvent());
        List<String> sent = new ArrayList<>();
        try {
            // Requests keep coming until both have answered some: the group's rebalance gave each its partitions.
            await().atMost(WAIT).until(() -> {
                send(sent, 12);
                Thread.sleep(500);
                return a.labeled().get() > 0 && b.labeled().get() > 0;
            });
            send(sent, 30);
            Map<String, Integer> answers = new HashMap<>();
            try (TopicTail predictions = new TopicTail(kafka.bootstrapServers(), Topics.PREDICTIONS)) {
                await().atMost(WAIT).until(() -> predictions.poll(Duration.ofMillis(200)).stream()
                        .map(ConsumerRecord::key).toList().containsAll(sent));
                // Everything on the topic, a while after the last answer: a second answer would be there by now.
                for (ConsumerRecord<String, byte[]> r : predictions.poll(Duration.ofSeconds(3))) {
                    assertThat(Json.read(TopicTail.text(r), Prediction.class).requestId()).isEqualTo(r.key());
                    answers.merge(r.key(), 1, Integer::sum);
                }
            }
            assertThat(answers.keySet()).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(answers.values()).containsOnly(1);
            // At least once each: a batch whose commit a rebalance refused is aborted, never seen, and labeled again.
            assertThat(a.labeled().get() + b.labeled().get()).isGreaterThanOrEqualTo(sent.size());
            assertThat(first.failure()).isEmpty();
            assertThat(second.failure()).isEmpty();
        } finally {
            first.onStop(new ShutdownEvent());
            second.onStop(new ShutdownEvent());
        }
    }

    private static void send(List<String> sent, int n) {
        List<String> ids = IntStream.range(0, n).mapToObj(i -> "r" + (sent.size() + i)).toList();
        TopicTail.produce(kafka.bootstrapServers(), Topics.INFERENCE_REQUESTS, ids, ids.stream()
                .map(id -> Json.write(Map.of("id", id, "text", "hello", "deployment", "shared"))
                        .getBytes(StandardCharsets.UTF_8)).toList());
        sent.addAll(ids);
    }
}
