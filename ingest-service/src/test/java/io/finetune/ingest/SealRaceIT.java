package io.finetune.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.ingest.domain.DatasetRegistry;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A seal on one ingest replica racing uploads on another, over the real broker. Replica A is this Quarkus app, taking
 * uploads over REST from several clients at once; replica B is a second registry in this JVM, under its own replica
 * id, that seals the dataset as ingest's seal path does (claim on the registry topic, END marker on the dataset
 * topic, then the claim marked ended). Every record a client was told is accepted must reach the dataset topic before
 * the END marker, every record before the END marker must have been answered accepted, and the registry's count
 * must be exactly those records. Before the fix, records checked "not sealed" landed behind the END marker, or were
 * dead-lettered mid-upload, while their upload was answered 200.
 * <p>
 * Replica A's producer lingers 200 ms before it sends a batch (10 ms in production): records checked "not sealed"
 * just before the claim then reach Kafka after replica B's END marker, so the check against the END marker's offset
 * is exercised, not only the check before writing.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(SealRaceIT.LingeringProducer.class)
class SealRaceIT {
    public static class LingeringProducer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.dataset-records.linger.ms", "200");
        }
    }

    private static final Logger LOG = Logger.getLogger(SealRaceIT.class);
    private static final int CLIENTS = 4;
    private static final int PER_UPLOAD = 300;
    /** Uploads each client has answered before the seal: the seal then falls on uploads in full flow. */
    private static final int UPLOADS_BEFORE_SEAL = 2;
    private static final int ROUNDS = 4;

    private static String kafka() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    @Test
    void noRecordAnsweredAcceptedLandsBehindTheEndMarker() throws Exception {
        Map<String, Object> kafkaConfig = Map.of("bootstrap.servers", kafka());
        DatasetRegistry replicaB = new DatasetRegistry(new SimpleMeterRegistry(), kafkaConfig, "seal-race-b",
                Duration.ofMillis(200), Duration.ofSeconds(30));
        replicaB.start();
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        int behindTheMarker = 0;
        try (KafkaProducer<String, String> endMarkers = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int round = 0; round < ROUNDS; round++) {
                behindTheMarker += race("seal-race-" + round, replicaB, endMarkers);
            }
        } finally {
            replicaB.close();
        }
        LOG.infof("records written behind the END marker over %d rounds (refused): %d", ROUNDS, behindTheMarker);
        assertThat(behindTheMarker).as("records the seal overtook: the race took place").isPositive();
    }

    /** @return how many records landed behind the END marker (each must have been refused) */
    private int race(String dataset, DatasetRegistry replicaB, KafkaProducer<String, String> endMarkers)
            throws Exception {
        given().contentType(ContentType.JSON).body("{\"name\":\"" + dataset + "\"}").post("/datasets")
                .then().statusCode(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> replicaB.exists(dataset));

        Set<String> answeredAccepted = ConcurrentHashMap.newKeySet();
        Set<String> answeredRefused = ConcurrentHashMap.newKeySet();
        AtomicBoolean sealed = new AtomicBoolean();
        java.util.concurrent.CountDownLatch warm = new java.util.concurrent.CountDownLatch(CLIENTS * UPLOADS_BEFORE_SEAL);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            running.add(clients.submit(() -> {
                for (int upload = 0; ; upload++) {
                    List<String> ids = new ArrayList<>();
                    StringBuilder body = new StringBuilder();
                    for (int i = 0; i < PER_UPLOAD; i++) {
                        String id = "c" + client + "-u" + upload + "-r" + i;
                        ids.add(id);
                        body.append("{\"id\":\"").append(id).append("\",\"text\":\"review ").append(id)
                                .append("\",\"label\":\"").append(i % 2 == 0 ? "pos" : "neg").append("\"}\n");
                    }
                    Response answer = given().contentType("application/x-ndjson")
                            .body(body.toString().getBytes(StandardCharsets.UTF_8))
                            .post("/datasets/" + dataset + "/records");
                    int refused = sortOut(answer, ids, answeredAccepted, answeredRefused);
                    warm.countDown();
                    if (refused == PER_UPLOAD && sealed.get()) {
                        return null; // the dataset is closed: this client is done
                    }
                }
            }));
        }
        assertThat(warm.await(120, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(ThreadLocalRandom.current().nextInt(100)); // somewhere in the uploads in flight
        long count = replicaB.seal(dataset, 1).get(30, TimeUnit.SECONDS);
        assertThat(count).as("replica B wins the seal").isGreaterThanOrEqualTo(0);
        RecordMetadata end = endMarkers.send(new ProducerRecord<>(Topics.DATASET_RECORDS, dataset,
                Json.write(DatasetRecord.end(dataset, count, null, 1)))).get(30, TimeUnit.SECONDS);
        replicaB.sealEnded(dataset, end).get(30, TimeUnit.SECONDS);
        sealed.set(true);
        for (Future<?> client : running) {
            client.get(120, TimeUnit.SECONDS);
        }
        clients.shutdown();

        List<String> beforeEnd = new ArrayList<>();
        List<String> afterEnd = new ArrayList<>();
        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS)) {
            records.pollUntil(
                    r -> dataset.equals(r.key()) && r.offset() == end.offset() && r.partition() == end.partition(),
                    Duration.ofSeconds(60));
            List<ConsumerRecord<String, byte[]>> all = records.poll(Duration.ofSeconds(2)); // and what is behind it
            for (ConsumerRecord<String, byte[]> r : all) {
                if (!dataset.equals(r.key())) {
                    continue;
                }
                assertThat(r.partition()).isEqualTo(end.partition());
                DatasetRecord record = Json.read(TopicTail.text(r), DatasetRecord.class);
                if (record.kind() == DatasetRecord.Kind.RECORD) {
                    (r.offset() < end.offset() ? beforeEnd : afterEnd).add(record.id());
                }
            }
        }
        LOG.infof("%s: %d answered accepted, %d refused; %d records before the END marker, %d behind it", dataset,
                answeredAccepted.size(), answeredRefused.size(), beforeEnd.size(), afterEnd.size());
        assertThat(new HashSet<>(beforeEnd)).as("records before the END marker").hasSize(beforeEnd.size());
        Set<String> acceptedButBehind = new HashSet<>(answeredAccepted);
        acceptedButBehind.removeAll(beforeEnd);
        assertThat(acceptedButBehind).as("answered accepted, but not before the END marker").isEmpty();
        assertThat(answeredAccepted).as("every record before the END marker was answered accepted")
                .containsExactlyInAnyOrderElementsOf(beforeEnd);
        assertThat(answeredRefused).as("records behind the END marker were refused").containsAll(afterEnd);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/datasets/" + dataset).then()
                .statusCode(200).body("accepted", org.hamcrest.Matchers.equalTo(beforeEnd.size())));
        return afterEnd.size();
    }

    /**
     * Files each record of an upload as answered accepted or refused: a 200 accepts all; a 409 accepts none when the
     * dataset was sealed before the upload, and otherwise refuses every record from the first line it lists as
     * refused on (an upload's records land in order: the detail says so), having accepted the lines before it.
     *
     * @return how many were refused
     */
    private static int sortOut(Response answer, List<String> ids, Set<String> accepted, Set<String> refused) {
        if (answer.statusCode() == 200) {
            assertThat(answer.jsonPath().getInt("accepted")).isEqualTo(ids.size());
            accepted.addAll(ids);
            return 0;
        }
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(409);
        JsonNode problem = Json.read(answer.asString(), JsonNode.class);
        int firstRefused = 1; // sealed before the upload started: nothing was taken
        if (problem.has("errors")) {
            firstRefused = Integer.MAX_VALUE;
            for (JsonNode error : problem.get("errors")) {
                assertThat(error.get("reason").asText()).isEqualTo("dataset-sealed");
                firstRefused = Math.min(firstRefused, error.get("line").asInt());
            }
            int acceptedBefore = firstRefused - 1;
            assertThat(problem.get("detail").asText()).contains(acceptedBefore + " record(s) were accepted",
                    (ids.size() - acceptedBefore) + " were refused", "from line " + firstRefused + " on");
        }
        for (int line = 1; line <= ids.size(); line++) {
            (line < firstRefused ? accepted : refused).add(ids.get(line - 1));
        }
        return ids.size() - firstRefused + 1;
    }
}
