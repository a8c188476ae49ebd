package io.finetune.preprocess;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Json;
import io.finetune.contracts.KafkaAccess;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.SecureAccess;
import io.finetune.kafka.local.SecureLocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * preprocess-service on an authorizing broker, logged in as its own user finetune-preprocess with exactly the ACLs
 * contracts' KafkaAccess grants it, in its production group: dataset records (written as finetune-ingest) are
 * consumed, shards and the manifest go out, the service's own shard reader finds the build, and the evaluator's
 * user reads the dataset back.
 */
@QuarkusTest
@TestProfile(SecureKafkaPreprocessIT.Secured.class)
class SecureKafkaPreprocessIT {
    public static class Secured implements QuarkusTestProfile {
        @Override
        public boolean disableGlobalTestResources() {
            return true; // no plain broker next to the secured one
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SecureLocalKafkaResource.class,
                    Map.of("service", "preprocess")));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("preprocess.group-id", "preprocess-service"); // the group KafkaAccess grants
        }
    }

    SecureAccess kafka;

    @Test
    void aDatasetIsPreparedWithThePreprocessUsersAclsOnly() {
        assertThat(ConfigProvider.getConfig().getValue("preprocess.group-id",
                String.class)).isEqualTo("preprocess-service");
        String dataset = "secure-reviews";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add(Json.write(DatasetRecord.record(dataset, "p" + i, "Loved movie " + i, "pos", null)));
            values.add(Json.write(DatasetRecord.record(dataset, "n" + i, "Hated movie " + i, "neg", null)));
        }
        values.add(Json.write(DatasetRecord.end(dataset, 20, new PreprocessOptions(null, 32, null, 0.1, 0.1, 9L), 1)));
        TopicTail.produce(kafka.scramClient(KafkaAccess.INGEST), Topics.DATASET_RECORDS,
                values.stream().map(v -> dataset).toList(),
                values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList());

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                when().get("/datasets/" + dataset).then().statusCode(200).body("state", equalTo("READY")));
        DatasetShards read = new ShardReader(kafka.scramClient(KafkaAccess.EVALUATOR)).read(dataset).orElseThrow();
        assertThat(read.split("train")).hasSize(16);
    }
}
