package io.finetune.ingest;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A REST seal asked for right after records were pushed onto the raw topic (while ingest is still working through
 * them) must not overtake them: every record reaches the dataset topic before the END marker, and the END marker
 * counts them all. Sealing straight from the REST thread failed this: the END marker went out first.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
class SealOrderIT {
    private static final String DATASET = "seal-order";
    private static final int RECORDS = 3000;

    @Test
    void aSealRightAfterRawRecordsComesAfterAllOfThem() {
        String kafka = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        given().contentType(ContentType.JSON).body("{\"name\":\"" + DATASET + "\"}").post("/datasets")
                .then().statusCode(201);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            values.add(("{\"dataset\":\"" + DATASET + "\",\"id\":\"r" + i + "\",\"text\":\"review number " + i
                    + "\",\"label\":\"" + (i % 2 == 0 ? "pos" : "neg") + "\"}").getBytes(StandardCharsets.UTF_8));
        }
        TopicTail.produce(kafka, Topics.RAW_RECORDS, Collections.nCopies(RECORDS, DATASET), values);

        given().contentType(ContentType.JSON).body("{}").post("/datasets/" + DATASET + "/seal")
                .then().statusCode(200);

        try (TopicTail records = new TopicTail(kafka, Topics.DATASET_RECORDS)) {
            List<DatasetRecord> ofSet = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : records.pollUntil(r -> DATASET.equals(r.key())
                    && TopicTail.text(r).contains("\"END\""), Duration.ofSeconds(60))) {
                if (DATASET.equals(r.key())) {
                    ofSet.add(Json.read(TopicTail.text(r), DatasetRecord.class));
                }
            }
            // Give any straggler the chance to show up after the END marker.
            records.poll(Duration.ofSeconds(2)).stream().filter(r -> DATASET.equals(r.key()))
                    .skip(ofSet.size()).forEach(r -> ofSet.add(Json.read(TopicTail.text(r), DatasetRecord.class)));
            assertThat(ofSet).hasSize(RECORDS + 1);
            assertThat(ofSet.get(RECORDS).kind()).as("the last record of the dataset").isEqualTo(DatasetRecord.Kind.END);
            assertThat(ofSet.get(RECORDS).accepted()).isEqualTo(RECORDS);
        }
    }
}
