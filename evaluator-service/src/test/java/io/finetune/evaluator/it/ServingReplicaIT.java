package io.finetune.evaluator.it;

import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.DeploymentState;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.Topics;
import io.finetune.distilbert.BundledModels;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * A serving replica (the Quarkus profile {@code serving}) on a real broker: it has evaluated nothing and has no REST
 * API; it learns its deployments from {@code finetune.serving.deployments} as the evaluator publishes them, fetches
 * each checkpoint's model from the checkpoints topic (chunks published as the trainer publishes them) and answers
 * requests with it, switching when a new state arrives, staying on the old checkpoint when the new one cannot be
 * fetched, and dropping the deployment at its tombstone.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@TestProfile(ServingReplicaIT.Replica.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServingReplicaIT {
    /** The profile k8s gives a replica (prod there), with the id of the first StatefulSet pod. */
    public static class Replica implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "test,serving";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("serving.transactional-id", "evaluator-serving-0",
                    "evaluator.data-dir", "target/evaluator-replica-" + UUID.randomUUID());
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(90);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String job = "job-replica-" + run;
    private final String first = job + "-epoch-1";
    private final String second = job + "-epoch-2";
    private final String name = "replica-" + run;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @TempDir
    static Path tmp;

    @BeforeAll
    void publishTwoCheckpoints() throws IOException {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("tiny-model"));
        for (String checkpoint : List.of(first, second)) {
            List<CheckpointChunk> chunks = chunks(model, checkpoint);
            // Keyed by the id, so the producer's default partitioner puts every chunk where the id's go (the
            // trainer keys them <id>/<index> with a partitioner of its own; the reader takes both).
            TopicTail.produce(bootstrap, Topics.CHECKPOINTS,
                    chunks.stream().map(CheckpointChunk::checkpointId).toList(),
                    chunks.stream().map(CheckpointChunk::encode).toList());
        }
    }

    @Test
    void servesTheCheckpointEachStateNamesOnceItsModelIsFetched() {
        RestAssured.get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'deployments' }.data.role", equalTo("serving"));

        // A request sent the moment its deployment's state is published, before the replica has read the state or
        // fetched the model: the batch waits for both rather than refuse it (awaitAnswer fails on a dead letter).
        publish(first, 64);
        String longText = "word ".repeat(40);
        Prediction a = awaitAnswer("a", longText);
        assertThat(a.checkpoint()).isEqualTo(first);
        assertThat(a.servedBy()).as("the replica's transactional id").isEqualTo("evaluator-serving-0");
        assertThat(a.deployment()).isEqualTo(name);
        assertThat(a.tokens()).isGreaterThan(8); // cut to 64 tokens at most

        // A new checkpoint, evaluated with 8 tokens: requests are answered by the old model until the new one is
        // fetched and loaded, then by the new one, cut to its length; none is refused meanwhile.
        publish(second, 8);
        List<Prediction> meanwhile = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            Prediction p = awaitAnswer("b" + meanwhile.size(), longText);
            meanwhile.add(p);
            return p.checkpoint().equals(second);
        });
        assertThat(meanwhile).extracting(Prediction::checkpoint).containsOnly(first, second);
        Prediction b = meanwhile.get(meanwhile.size() - 1);
        assertThat(b.truncated()).isTrue();
        assertThat(b.tokens()).isLessThanOrEqualTo(8);

        // A checkpoint that is not on the topic: the deployment stays on what it serves, and the check says why.
        String missing = job + "-never-published";
        publish(missing, 64);
        await().atMost(WAIT).untilAsserted(() -> RestAssured.get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'deployments' }.data.'" + name + "'",
                        containsString("checkpoint " + missing)));
        RestAssured.get("/q/health/ready").then()
                .body("checks.find { it.name == 'deployments' }.data.'" + name + "'",
                        containsString("still serves checkpoint " + second));
        assertThat(awaitAnswer("c", "hello").checkpoint()).isEqualTo(second);

        // Back to one it can fetch: the problem goes with the switch.
        publish(first, 64);
        await().atMost(WAIT).until(() -> awaitAnswer("d" + UUID.randomUUID(), "hello").checkpoint().equals(first));
        RestAssured.get("/q/health/ready").then()
                .body("checks.find { it.name == 'deployments' }.data.'" + name + "'", equalTo(null));

        // A deployment new to the replica whose checkpoint cannot be fetched: refused, saying why.
        String other = name + "-unfetchable";
        publish(other, missing, 64);
        String refusedId = "unfetchable-" + UUID.randomUUID();
        send(refusedId, other, "hello");
        assertThat(awaitOutcome(refusedId)).isInstanceOfSatisfying(DeadLetter.class, letter -> {
            assertThat(letter.reason()).isEqualTo("deployment-unavailable");
            assertThat(letter.detail()).contains("'" + other + "'", "checkpoint " + missing);
        });

        // The tombstone: requests for it are refused as for any unknown deployment.
        TopicTail.produce(bootstrap, Topics.DEPLOYMENTS, Arrays.asList(name), Arrays.asList((byte[]) null));
        await().atMost(WAIT).until(() -> {
            String id = "gone-" + UUID.randomUUID();
            send(id, "hello");
            return awaitOutcome(id) instanceof DeadLetter letter && letter.reason().equals("unknown-deployment");
        });
    }

    @Test
    void hasNoRestApiButHealthAndMetrics() {
        for (String path : List.of("/deployments", "/evaluations", "/deployments/" + name, "/nothing-here")) {
            RestAssured.get(path).then().statusCode(404)
                    .contentType(containsString("application/problem+json"))
                    .body("status", equalTo(404))
                    .body("detail", containsString("serving replica"))
                    .body("detail", containsString("changed on evaluator-service"));
        }
        RestAssured.given().body("{}").contentType("application/json").post("/deployments").then().statusCode(404);
        RestAssured.get("/q/health/live").then().statusCode(200);
        RestAssured.get("/q/metrics").then().statusCode(200);
    }

    private void publish(String checkpoint, int maxLength) {
        publish(name, checkpoint, maxLength);
    }

    private void publish(String deployment, String checkpoint, int maxLength) {
        DeploymentState state = new DeploymentState(DeploymentState.VERSION, deployment, checkpoint, List.of("text"),
                maxLength, Instant.now());
        TopicTail.produce(bootstrap, Topics.DEPLOYMENTS, List.of(deployment),
                List.of(Json.write(state).getBytes(StandardCharsets.UTF_8)));
    }

    private void send(String id, String text) {
        send(id, name, text);
    }

    private void send(String id, String deployment, String text) {
        TopicTail.produce(bootstrap, Topics.INFERENCE_REQUESTS, List.of(id), List.of(Json.write(
                Map.of("id", id, "text", text, "deployment", deployment)).getBytes(StandardCharsets.UTF_8)));
    }

    /** Sends a request and waits for its prediction; a dead letter for it fails the test. */
    private Prediction awaitAnswer(String prefix, String text) {
        String id = prefix + "-" + run;
        send(id, text);
        Object outcome = awaitOutcome(id);
        assertThat(outcome).isInstanceOf(Prediction.class);
        return (Prediction) outcome;
    }

    /** The request's prediction or its dead letter, whichever comes. */
    private Object awaitOutcome(String id) {
        try (TopicTail predictions = new TopicTail(bootstrap, Topics.PREDICTIONS);
             TopicTail letters = new TopicTail(bootstrap, Topics.DEAD_LETTERS)) {
            Map<String, Object> found = new HashMap<>();
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> r : predictions.poll(Duration.ofMillis(100))) {
                    if (id.equals(r.key())) {
                        found.put(id, Json.read(TopicTail.text(r), Prediction.class));
                    }
                }
                for (ConsumerRecord<String, byte[]> r : letters.poll(Duration.ofMillis(100))) {
                    DeadLetter letter = Json.read(TopicTail.text(r), DeadLetter.class);
                    if (letter.payload() != null && letter.payload().contains("\"" + id + "\"")) {
                        found.put(id, letter);
                    }
                }
                return found.containsKey(id);
            });
            return found.get(id);
        }
    }

    /** A checkpoint as the trainer publishes it: its model directory zipped and split into keyed chunks. */
    private List<CheckpointChunk> chunks(Path model, String checkpoint) throws IOException {
        CheckpointInfo info = new CheckpointInfo(CheckpointInfo.VERSION, job, checkpoint, "replica-" + run,
                "build-" + run, "distilbert-tiny", 1, 5, true, 0.5, 0.6, 0.7, null, List.of());
        Path dir = tmp.resolve(checkpoint);
        Files.createDirectories(dir);
        try (var files = Files.list(model)) {
            for (Path file : files.toList()) {
                Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        Files.writeString(dir.resolve(CheckpointInfo.FILE_NAME), Json.write(info));
        return CheckpointChunk.split(checkpoint, job, ModelArchive.zip(dir));
    }
}
