package io.finetune.trainer;

import io.finetune.contracts.Json;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.contracts.sample.SampleReviews;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.kafka.local.SecureAccess;
import io.finetune.kafka.local.SecureLocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * trainer-service against a broker that only lets in SCRAM logins over SASL_SSL, given the login as {@code kafka.*}
 * configuration: submitting a job reads the dataset from the shards topic (JobResource's reader), the worker reads
 * it again and trains (JobWorker's reader), and progress goes out on the channels, all over the secured listener.
 */
@QuarkusTest
@QuarkusTestResource(value = SecureLocalKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = FreshDataDir.class, restrictToAnnotatedClass = true)
class SecureKafkaTrainerIT {
    private static final String DATASET = "secure-reviews";
    private static final List<String> LABELS = List.of("negative", "positive");

    SecureAccess kafka;

    @Test
    void aJobIsReadAndTrainedOverSaslSsl() throws Exception {
        assertThat(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class))
                .isEqualTo(kafka.saslSslServers());
        // A missing dataset is only known once the reader got through to the topic; a reader without the login
        // would wait for a connection until its timeout instead.
        given().contentType(ContentType.JSON).body("{\"dataset\": \"nobody-made-this\"}").post("/jobs")
                .then().statusCode(404).body("detail", containsString("not prepared"));

        publishDataset();
        String jobId = given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny",
                         "hyperparameters": {"epochs": 1, "batchSize": 16, "maxLength": 64}}
                        """.formatted(DATASET))
                .post("/jobs").then().statusCode(202).extract().path("jobId");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().get("/jobs/" + jobId).then().body("state", equalTo("COMPLETED")));

        try (TopicTail progress = new TopicTail(kafka.scramClient(), Topics.PROGRESS)) {
            List<TrainingProgress.Stage> stages = progress.pollUntil(r -> jobId.equals(r.key())
                            && TopicTail.text(r).contains("COMPLETED"), Duration.ofSeconds(30)).stream()
                    .filter(r -> jobId.equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), TrainingProgress.class).stage()).toList();
            assertThat(stages).contains(TrainingProgress.Stage.QUEUED, TrainingProgress.Stage.STARTED,
                    TrainingProgress.Stage.COMPLETED);
        }
    }

    /** A small tokenized dataset as preprocess-service would publish it, sent with the test's own SCRAM login. */
    private void publishDataset() throws Exception {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, Files.createTempDirectory("tiny"));
        List<TokenizedExample> examples = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.load(model, 64)) {
            for (SampleReviews.Review r : SampleReviews.generate(96, 5)) {
                examples.add(new TokenizedExample(r.id(), LABELS.indexOf(r.label()),
                        tokenizer.encode(r.text()).intIds()));
            }
        }
        Shard train = new Shard(DATASET, "b1", "train", 0, examples.subList(0, 64));
        Shard validation = new Shard(DATASET, "b1", "validation", 0, examples.subList(64, 96));
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, DATASET, "b1", LABELS,
                Map.of("train", 1, "validation", 1), Map.of(), "distilbert-tiny", "distilbert-tiny", 64, "h", null);
        Properties props = new Properties();
        props.putAll(kafka.scramClient());
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.SHARDS, DATASET, ShardCodec.encode(train))).get();
            producer.send(new ProducerRecord<>(Topics.SHARDS, DATASET, ShardCodec.encode(validation))).get();
            ProducerRecord<String, byte[]> m = new ProducerRecord<>(Topics.SHARDS, DATASET,
                    Json.write(manifest).getBytes(StandardCharsets.UTF_8));
            m.headers().add(Topics.HEADER_TYPE, "manifest".getBytes(StandardCharsets.UTF_8));
            producer.send(m).get();
        }
    }
}
