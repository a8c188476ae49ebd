package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.contracts.sample.SampleReviews;
import io.finetune.kafka.local.TopicTail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end over a real broker and the four packaged services, each its own process: labeled records in over
 * REST and over Kafka, bad ones dead-lettered with their reasons while the good ones flow on to shards, training
 * and an evaluation well above chance.
 */
class PipelineIT {
    private static final String DATASET = "e2e-reviews";
    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        stack = LocalStack.start(root, root.resolve("local-stack/target/e2e-stack"), 0, 0);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void labeledRecordsBecomeAnEvaluatedModelAndBadRecordsBecomeDeadLetters() {
        PipelineScenario scenario = new PipelineScenario(stack);
        List<SampleReviews.Review> reviews = SampleReviews.generate(1200, 3);
        List<String> bad = List.of(
                "this is not json",
                "{\"dataset\":\"" + DATASET + "\",\"label\":\"positive\"}",
                "{\"dataset\":\"" + DATASET + "\",\"text\":\"a review without its label\"}",
                "{\"dataset\":\"" + DATASET + "\",\"text\":\"a review\",\"label\":\"lukewarm\"}");
        JsonNode restReport = scenario.push(DATASET, reviews, 800, bad);
        assertThat(restReport.path("accepted").asLong()).isEqualTo(800);

        JsonNode sealed = scenario.seal(DATASET, reviews.size() + bad.size(), Map.of("maxLength", 64));
        assertThat(sealed.path("accepted").asLong()).isEqualTo(reviews.size());
        assertThat(sealed.path("rejected").asLong()).isEqualTo(bad.size());

        JsonNode prepared = scenario.awaitPrepared(DATASET, Duration.ofMinutes(3));
        assertThat(prepared.path("state").asText()).isEqualTo("READY");

        String jobId = scenario.submit(DATASET, "distilbert-tiny",
                Map.of("learningRate", 5e-3, "epochs", 5, "batchSize", 16, "maxLength", 64));
        List<TrainingProgress> progress = new ArrayList<>();
        EvaluationResult evaluation = scenario.awaitFinalEvaluation(jobId, progress::add, Duration.ofMinutes(10));

        assertThat(progress).extracting(TrainingProgress::stage).contains(TrainingProgress.Stage.STEP,
                TrainingProgress.Stage.EPOCH, TrainingProgress.Stage.CHECKPOINT);
        assertThat(evaluation.split()).isEqualTo("test");
        assertThat(evaluation.examples()).isGreaterThan(30);
        assertThat(evaluation.accuracy()).as("accuracy on the held-out test split").isGreaterThan(0.85);
        assertThat(evaluation.labels()).containsExactly("negative", "positive");
        assertThat(evaluation.perClass()).allSatisfy(c -> assertThat(c.f1()).isGreaterThan(0.8));

        try (TopicTail dead = new TopicTail(stack.bootstrapServers(), Topics.DEAD_LETTERS)) {
            List<DeadLetter> letters = dead.poll(Duration.ofSeconds(3)).stream()
                    .map(r -> Json.read(TopicTail.text(r), DeadLetter.class)).toList();
            assertThat(letters).extracting(DeadLetter::reason)
                    .contains("invalid-json", "missing-text", "missing-label", "unknown-label");
            assertThat(letters).allSatisfy(letter -> {
                assertThat(letter.origin()).startsWith("kafka:" + Topics.RAW_RECORDS);
                assertThat(letter.payload()).isNotBlank();
            });
        }
    }
}
