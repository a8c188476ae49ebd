package io.finetune.trainer;

import ai.djl.Device;
import io.finetune.contracts.Json;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.distilbert.Autocast;
import io.finetune.distilbert.Precision;
import io.finetune.kafka.local.LocalKafkaResource;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

/**
 * The device the service resolved at start-up, as Prometheus sees it; a job asking for bf16 is accepted where the CPU
 * has bfloat16 arithmetic and told why not where it has none.
 */
@QuarkusTest
@QuarkusTestResource(value = LocalKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = FreshDataDir.class, restrictToAnnotatedClass = true)
class TrainingDeviceIT {
    private static final String DATASET = "device-it";

    @Test
    void theCpuIsExportedAndNoGpuMemoryGauges() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("finetune_trainer_device_info\\{device=\"cpu\",?} 1\\.0")
                .doesNotContain("gpu0")
                .doesNotContain("finetune_trainer_gpu_memory");
    }

    @Test
    void aJobAskingForBf16IsAcceptedOnlyWhereTheCpuHasBf16() throws Exception {
        publishTinyDataset();
        Optional<String> unsupported = Autocast.unsupportedReason(Precision.BF16, Device.cpu());
        System.out.println("TrainingDeviceIT: CPU " + Autocast.cpuModel() + ", bf16 " + unsupported.orElse("supported"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            var response = given().contentType(ContentType.JSON).body("""
                            {"dataset": "%s", "baseModel": "distilbert-tiny", "hyperparameters": {"bf16": true}}
                            """.formatted(DATASET))
                    .post("/jobs").then();
            if (unsupported.isPresent()) {
                response.statusCode(422).body("detail", containsString("bf16 needs a CPU with bfloat16 arithmetic"));
            } else {
                response.statusCode(202);
            }
        });
    }

    private static void publishTinyDataset() throws Exception {
        // Ids of distilbert-tiny's vocabulary ([CLS]=2, [SEP]=3), so an accepted bf16 job can train, not fail on them.
        List<TokenizedExample> examples = List.of(new TokenizedExample("a", 0, new int[] {2, 50, 3}),
                new TokenizedExample("b", 1, new int[] {2, 51, 3}));
        Shard train = new Shard(DATASET, "b1", "train", 0, examples);
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, DATASET, "b1",
                List.of("negative", "positive"), Map.of("train", 1), Map.of(), "distilbert-tiny", "distilbert-tiny",
                64, "h", null);
        Properties props = new Properties();
        props.put("bootstrap.servers", ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.SHARDS, DATASET, ShardCodec.encode(train))).get();
            ProducerRecord<String, byte[]> m = new ProducerRecord<>(Topics.SHARDS, DATASET,
                    Json.write(manifest).getBytes(StandardCharsets.UTF_8));
            m.headers().add(Topics.HEADER_TYPE, "manifest".getBytes(StandardCharsets.UTF_8));
            producer.send(m).get();
        }
    }
}
