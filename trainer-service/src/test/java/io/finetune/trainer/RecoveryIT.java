package io.finetune.trainer;

import io.finetune.contracts.CheckpointAssembler;
import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.kafka.local.TopicTail;
import io.finetune.trainer.domain.JobStatus;
import io.finetune.trainer.training.TrainingRun;
import io.finetune.trainer.training.TrainingRunResumeTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.finetune.trainer.RecoveredJobResource.CANCELLED_JOB;
import static io.finetune.trainer.RecoveredJobResource.DONE_JOB;
import static io.finetune.trainer.RecoveredJobResource.GONE_BUILD_JOB;
import static io.finetune.trainer.RecoveredJobResource.RUNNING_JOB;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

/**
 * trainer-service started on the data directory of a trainer that died mid-job: the RUNNING job is queued again,
 * continues from its newest training state on the build it was pinned to (though a newer one is on the shards topic)
 * and ends with the weights of a run that never died; finished jobs stay finished; a job whose cancel came before the
 * crash ends CANCELLED at once, without queueing again; a job pinned to a build no longer there ends FAILED, saying so.
 */
@QuarkusTest
@TestProfile(RecoveryIT.AfterACrash.class)
class RecoveryIT {
    public static class AfterACrash implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RecoveredJobResource.class));
        }
    }

    @Test
    void theRunningJobResumesFromItsSavedStateAndCompletesWithTheUninterruptedWeights(@TempDir Path work)
            throws Exception {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().get("/jobs/" + RUNNING_JOB).then().body("state", equalTo("COMPLETED"))
                        .body("message", containsString("resumed at step 8")));
        given().get("/jobs/" + RUNNING_JOB).then().body("build", equalTo("b1"));
        given().get("/jobs/" + GONE_BUILD_JOB).then().statusCode(200).body("state", equalTo("FAILED"))
                .body("build", equalTo("b0"))
                .body("message", equalTo("dataset '" + RecoveredJobResource.DATASET + "' build b0, which this job"
                        + " trains on (as submitted), is not on the shards topic: the job does not switch to another"
                        + " build of the data it trained on; submit it again to train on the dataset's newest build"));
        given().get("/jobs/" + DONE_JOB).then().statusCode(200).body("state", equalTo("COMPLETED"))
                .body("message", equalTo("done before the restart"));
        given().get("/jobs/" + CANCELLED_JOB).then().statusCode(200).body("state", equalTo("CANCELLED"))
                .body("message", equalTo("cancelled: the request came before the trainer restarted"))
                .body("startedAt", nullValue());

        Config config = ConfigProvider.getConfig();
        String kafka = config.getValue("kafka.bootstrap.servers", String.class);
        try (TopicTail progress = new TopicTail(kafka, Topics.PROGRESS)) {
            List<TrainingProgress> events = progress.pollUntil(r -> RUNNING_JOB.equals(r.key())
                            && TopicTail.text(r).contains("COMPLETED"), Duration.ofSeconds(20)).stream()
                    .map(r -> Json.read(TopicTail.text(r), TrainingProgress.class)).toList();
            assertThat(events).allMatch(e -> !e.jobId().equals(DONE_JOB), "the finished job is not run again");
            assertThat(events).filteredOn(e -> e.jobId().equals(CANCELLED_JOB)).extracting(TrainingProgress::stage)
                    .as("the cancelled job is not queued again").containsExactly(TrainingProgress.Stage.CANCELLED);
            assertThat(events).filteredOn(e -> e.jobId().equals(RUNNING_JOB)
                            && e.stage() == TrainingProgress.Stage.QUEUED)
                    .extracting(TrainingProgress::message).containsExactly("recovered after a restart: 1 of at most 3"
                            + " attempts crashed the trainer, the last started at 2026-01-01T00:00:01Z");
            assertThat(events).filteredOn(e -> e.stage() == TrainingProgress.Stage.STARTED)
                    .extracting(TrainingProgress::message)
                    .contains("resumed from the training state saved at step 8 (epoch 2)");
            assertThat(events).filteredOn(e -> e.stage() == TrainingProgress.Stage.STEP)
                    .allSatisfy(e -> assertThat(e.step()).isGreaterThan(8));
        }

        CheckpointAssembler assembler = new CheckpointAssembler(work);
        Optional<Path> finalArchive = Optional.empty();
        try (TopicTail checkpoints = new TopicTail(kafka, Topics.CHECKPOINTS)) {
            for (ConsumerRecord<String, byte[]> record : checkpoints.pollUntil(
                    r -> (RUNNING_JOB + "-final").equals(CheckpointChunk.checkpointIdOf(r.key())),
                    Duration.ofSeconds(20))) {
                Optional<Path> done = assembler.accept(CheckpointChunk.decode(record.value()));
                if (done.isPresent() && CheckpointChunk.checkpointIdOf(record.key()).equals(RUNNING_JOB + "-final")) {
                    finalArchive = done;
                }
            }
        }
        assertThat(finalArchive).isPresent();
        Path modelDir = work.resolve("model");
        try (var in = Files.newInputStream(finalArchive.get())) {
            ModelArchive.unzip(in, modelDir);
        }
        TrainingRunResumeTest.assertSameWeights(modelDir,
                Path.of(config.getValue(RecoveredJobResource.REFERENCE, String.class)));

        Path jobDir = config.getValue("trainer.data-dir", Path.class).resolve("jobs").resolve(RUNNING_JOB);
        assertThat(jobDir.resolve(TrainingRun.STATES_DIR)).as("states are deleted once the job completed")
                .doesNotExist();
        JobStatus persisted = Json.read(Files.readString(jobDir.resolve("status.json")), JobStatus.class);
        assertThat(persisted.state()).isEqualTo(JobStatus.State.COMPLETED);
        assertThat(persisted.checkpoints()).contains(RUNNING_JOB + "-epoch-1", RUNNING_JOB + "-final");
    }
}
