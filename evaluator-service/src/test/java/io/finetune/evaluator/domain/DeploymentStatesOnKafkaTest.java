package io.finetune.evaluator.domain;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.DeploymentState;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.Topics;
import io.finetune.distilbert.BundledModels;
import io.finetune.evaluator.messaging.DeploymentStatePublisher;
import io.finetune.evaluator.serving.DeploymentStore;
import io.finetune.evaluator.serving.Deployments;
import io.finetune.evaluator.serving.ServingModels;
import io.finetune.kafka.local.LocalKafka;
import io.finetune.kafka.local.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The evaluator's deployment changes on {@link Topics#DEPLOYMENTS}, on a real broker: each change's state in order,
 * every deployment again after a restart, and a change that returns while the broker is away and is published once it
 * is back. (In this package for {@link TestEvaluatorConfig}.)
 */
class DeploymentStatesOnKafkaTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path kafkaDir;

    private LocalKafka kafka;
    private Workspace workspace;
    private EvaluationStore evaluations;
    private ServingModels models;
    private DeploymentStatePublisher publisher;
    private Deployments deployments;

    @BeforeEach
    void startBrokerAndEvaluator() {
        kafka = LocalKafka.onFreePort(kafkaDir).start().ensureTopics();
        TestEvaluatorConfig config = TestEvaluatorConfig.in(dataDir);
        workspace = new Workspace(config);
        evaluations = new EvaluationStore(workspace);
        evaluations.save(evaluation("ckpt-a", "d", null));
        evaluations.save(evaluation("ckpt-b", "d", null));
        evaluations.save(evaluation("ckpt-mail", "mails", manifestCutAt(32)));
        for (String checkpoint : List.of("ckpt-a", "ckpt-b", "ckpt-mail")) {
            BundledModels.extract(BundledModels.DEMO_MODEL, workspace.modelOf(checkpoint));
        }
        models = new ServingModels(workspace, new ModelShelf(workspace, evaluations, config), evaluations, config,
                new EvaluationPrecision(config));
        startEvaluator();
    }

    /** What the evaluator's beans do at its start: the stores read from disk, then the publisher started. */
    private void startEvaluator() {
        DeploymentStore store = new DeploymentStore(workspace);
        publisher = new DeploymentStatePublisher(store, evaluations,
                Map.of("bootstrap.servers", kafka.bootstrapServers()), Clock.systemUTC(), Duration.ofSeconds(3));
        deployments = new Deployments(store, models, evaluations,
                dataset -> dataset.equals("mails") ? List.of("Subject", "Body") : List.of("text"), publisher);
        publisher.start();
    }

    @AfterEach
    void stop() {
        if (publisher != null) {
            publisher.stop();
        }
        models.close();
        kafka.close();
    }

    @Test
    void eachChangeIsPublishedInOrderAndARestartedEvaluatorPublishesEveryDeploymentAgain() {
        // Each acknowledged before the next: changes quicker than Kafka are sent as their newest state only.
        deployments.create("phishing", "ckpt-a");
        awaitPublished();
        deployments.point("phishing", "ckpt-mail");
        awaitPublished();
        deployments.create("spam", "ckpt-b");
        awaitPublished();
        deployments.rollback("phishing");

        try (TopicTail tail = new TopicTail(kafka.bootstrapServers(), Topics.DEPLOYMENTS)) {
            List<DeploymentState> states = states(tail, all -> all.size() >= 4);
            assertThat(states).extracting(DeploymentState::name, DeploymentState::checkpoint)
                    .containsExactly(tuple("phishing", "ckpt-a"), tuple("phishing", "ckpt-mail"),
                            tuple("spam", "ckpt-b"), tuple("phishing", "ckpt-a"));
            DeploymentState mail = states.get(1);
            assertThat(mail.textFields()).containsExactly("Subject", "Body");
            assertThat(mail.maxLength()).as("the build's max length, shorter than the run's").isEqualTo(32);
            assertThat(states.get(0).textFields()).containsExactly("text");
            assertThat(states.get(0).maxLength()).isEqualTo(Predictions.maxLength(evaluations.get("ckpt-a")
                    .orElseThrow())).isGreaterThan(32);
            assertThat(states).allSatisfy(s -> assertThat(s.v()).isEqualTo(DeploymentState.VERSION));
            assertThat(states.get(3).updatedAt()).isEqualTo(deployments.get("phishing").orElseThrow().updatedAt());

            publisher.stop();
            startEvaluator();

            assertThat(states(tail, all -> all.size() >= 6).subList(4, 6))
                    .extracting(DeploymentState::name, DeploymentState::checkpoint)
                    .containsExactlyInAnyOrder(tuple("phishing", "ckpt-a"), tuple("spam", "ckpt-b"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.unpublishedFor().isZero());
    }

    @Test
    void aChangeReturnsWhileTheBrokerIsAwayAndIsPublishedOnceItIsBack() {
        deployments.create("phishing", "ckpt-a");
        try (TopicTail tail = new TopicTail(kafka.bootstrapServers(), Topics.DEPLOYMENTS)) {
            assertThat(states(tail, all -> all.size() >= 1)).hasSize(1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.unpublishedFor().isZero());

        kafka.stop();
        long before = System.nanoTime();
        deployments.point("phishing", "ckpt-b");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).as("the change does not wait for Kafka")
                .isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.problem().isPresent());
        assertThat(publisher.problem().orElseThrow()).contains("phishing");
        assertThat(publisher.unpublishedFor()).isPositive();
        long releasing = System.nanoTime();
        deployments.releaseUnused(); // as the serving loop does after every batch: never held up by the outbox
        assertThat(Duration.ofNanos(System.nanoTime() - releasing)).isLessThan(Duration.ofSeconds(1));

        kafka.start();
        try (TopicTail tail = new TopicTail(kafka.bootstrapServers(), Topics.DEPLOYMENTS)) {
            List<DeploymentState> states = states(tail, all -> all.size() >= 2);
            assertThat(states).extracting(DeploymentState::checkpoint).containsExactly("ckpt-a", "ckpt-b");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.unpublishedFor().isZero());
        assertThat(publisher.problem()).isEmpty();
    }

    private void awaitPublished() {
        await().atMost(Duration.ofSeconds(30)).until(() -> publisher.unpublishedFor().isZero());
    }

    private static List<DeploymentState> states(TopicTail tail, Predicate<List<DeploymentState>> enough) {
        List<DeploymentState> states = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!enough.test(states) && System.nanoTime() < deadline) {
            states = tail.poll(Duration.ofMillis(500)).stream().map(DeploymentStatesOnKafkaTest::state).toList();
        }
        assertThat(enough).as("states on the topic: %s", states).accepts(states);
        return states;
    }

    private static DeploymentState state(ConsumerRecord<String, byte[]> record) {
        DeploymentState state = Json.read(TopicTail.text(record), DeploymentState.class);
        assertThat(record.key()).isEqualTo(state.name());
        return state;
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }

    private static ShardManifest manifestCutAt(int maxLength) {
        return new ShardManifest(ShardManifest.VERSION, "mails", "build-1", List.of("NEGATIVE", "POSITIVE"),
                Map.of("test", 1), Map.of("test", Map.of("NEGATIVE", 1, "POSITIVE", 1)), "distilbert-tiny",
                "distilbert-tiny", maxLength, "hash", new CleaningReport(List.of(), 0, 0, 0, Map.of(), Map.of()));
    }

    private static EvaluatedCheckpoint evaluation(String checkpoint, String dataset, ShardManifest data) {
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "job", checkpoint, dataset, 1, 1L,
                "test", 2, 0.5, 0.7, 0.5, 0.5, List.of("NEGATIVE", "POSITIVE"), List.of(), new int[][]{{1, 0}, {1, 0}},
                Instant.EPOCH, null, null, null, null, null);
        return new EvaluatedCheckpoint(result, null, data, null, List.of(), 0, null);
    }
}
