package io.finetune.contracts;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingJobTest {
    @Test
    void aJobWrittenBeforeSettingsFromExistedStillReadsWithoutOne() {
        TrainingJob old = Json.read("""
                {"v":1,"jobId":"job-1","dataset":"mail","baseModel":"distilbert-tiny",
                 "hyperparameters":{"epochs":3},"submittedAt":"2026-12-01T10:00:00Z"}""", TrainingJob.class);

        assertThat(old.settingsFrom()).isNull();
        assertThat(old).isEqualTo(new TrainingJob(1, "job-1", "mail", "distilbert-tiny",
                Json.read("{\"epochs\":3}", Hyperparameters.class), Instant.parse("2026-12-01T10:00:00Z")));
    }

    @Test
    void settingsFromTravelsThroughJsonAndIsLeftOutWhenThereIsNone() {
        TrainingJob job = new TrainingJob(1, "job-2", "mail", "checkpoint:job-1-final", null,
                Instant.parse("2026-12-02T10:00:00Z"), "job-1");

        assertThat(Json.read(Json.write(job), TrainingJob.class)).isEqualTo(job);
        assertThat(Json.write(job.withHyperparameters(null)).contains("settingsFrom")).isTrue();
        assertThat(Json.write(new TrainingJob(1, "j", "d", null, null, null))).doesNotContain("settingsFrom");
    }

    @Test
    void theBuildTravelsThroughJsonAndAJobWithoutOneLeavesItToTheTrainer() {
        TrainingJob job = new TrainingJob(1, "job-3", "mail", null, null, Instant.parse("2026-12-03T10:00:00Z"))
                .onBuild("4be1c0d29a7f3e55");

        assertThat(Json.read(Json.write(job), TrainingJob.class)).isEqualTo(job);
        assertThat(Json.read(Json.write(job), TrainingJob.class).build()).isEqualTo("4be1c0d29a7f3e55");
        assertThat(job.withHyperparameters(null).build()).as("kept with other settings").isEqualTo("4be1c0d29a7f3e55");
        assertThat(Json.write(job.onBuild(null))).doesNotContain("build");
        assertThat(Json.read("""
                {"v":1,"jobId":"job-1","dataset":"mail","submittedAt":"2026-12-01T10:00:00Z"}""", TrainingJob.class)
                .build()).as("a job written before builds were pinned, or pushed without one").isNull();
    }

    @Test
    void aCheckpointBaseModelNamesTheCheckpointToWarmStartFrom() {
        assertThat(TrainingJob.warmStart("checkpoint:job-1-final")).contains("job-1-final");
        assertThat(TrainingJob.warmStart("distilbert-tiny")).isEmpty();
        assertThat(TrainingJob.warmStart("/models/checkpoint:x")).isEmpty();
        assertThat(TrainingJob.warmStart(null)).isEmpty();
        assertThat(TrainingJob.fromScratch("checkpoint:job-1-final")).isFalse();
    }
}
