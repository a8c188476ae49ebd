package io.finetune.preprocess;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.Json;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.contracts.RecordOrigin;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
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
 * Records that name their origin, as ingest forwards them (corrections of predictions among them), through the real
 * service and broker: the manifest's cleaning report counts them by origin kind, received and kept.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class OriginReportIT {
    @Test
    void theCleaningReportCountsRecordsByOriginKind() {
        String dataset = "it-origins";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            values.add(Json.write(DatasetRecord.record(dataset, "p" + i, "Loved movie " + i, "pos", null)));
            values.add(Json.write(DatasetRecord.record(dataset, "n" + i, "Hated movie " + i, "neg", null)));
        }
        RecordOrigin wrong = RecordOrigin.correction("reviews", "r-1", "job-1-epoch-1", "neg");
        String id = RecordOrigin.correctionId("reviews", "r-1");
        values.add(Json.write(DatasetRecord.record(dataset, id, "Not bad at all, in the end", "pos", null, wrong)));
        values.add(Json.write(DatasetRecord.record(dataset, id, "Not bad at all, in the end", "pos", null, wrong)));
        values.add(Json.write(DatasetRecord.end(dataset, values.size(),
                new PreprocessOptions(null, 32, null, 0.1, 0.1, 9L), 1)));
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        TopicTail.produce(bootstrap, Topics.DATASET_RECORDS, values.stream().map(v -> dataset).toList(),
                values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList());

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                when().get("/datasets/" + dataset).then().statusCode(200).body("state", equalTo("READY")));
        ShardManifest manifest = new ShardReader(Map.of("bootstrap.servers", bootstrap)).read(dataset).orElseThrow()
                .manifest();
        assertThat(manifest.report().origins()).isEqualTo(Map.of(
                CleaningReport.NO_ORIGIN, new CleaningReport.OriginCount(20, 20),
                RecordOrigin.CORRECTION, new CleaningReport.OriginCount(2, 1)));
        when().get("/datasets/" + dataset).then().body("report.origins.correction.kept", equalTo(1));
    }
}
