package io.finetune.trainer;

import ai.djl.Device;
import io.finetune.contracts.Directories;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.BundledModels;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.trainer.domain.JobStatus;
import io.finetune.trainer.domain.JobStore;
import io.finetune.trainer.training.RecordingEvents;
import io.finetune.trainer.training.TrainingRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A broker plus the data directory a trainer leaves behind when it dies mid-job: the dataset on the shards topic,
 * job {@value #RUNNING_JOB} persisted as RUNNING with the training states its crashed attempt saved (it really ran,
 * and was stopped after step 11 of 12), job {@value #DONE_JOB} persisted as COMPLETED, and job
 * {@value #CANCELLED_JOB} still QUEUED on disk though its cancel had been asked for (the crash came in between). The
 * running job had been pushed without a build and pinned to build b1 at its first start; the dataset was then
 * prepared again, as build {@value #NEWER_BUILD} of other reviews, before the trainer died. Job
 * {@value #GONE_BUILD_JOB} waits pinned to a build no longer on the topic. Also trains the running job once without
 * interruption on b1, as the reference its resumed run must match.
 */
public class RecoveredJobResource extends LocalKafkaResource {
    private Path root;
    public static final String RUNNING_JOB = "job-recovered";
    public static final String DONE_JOB = "job-done";
    public static final String CANCELLED_JOB = "job-cancelled";
    public static final String GONE_BUILD_JOB = "job-gone-build";
    public static final String NEWER_BUILD = "b2";
    public static final String DATASET = "recovery-it-reviews";
    public static final String REFERENCE = "test.reference-final-checkpoint";

    /** 96 reviews / batch 16 = 6 steps an epoch, 12 in all; states at steps 4, 6 and 8 before the crash. */
    static final Hyperparameters HYPERPARAMETERS = Json.read("""
            {"learningRate": 0.005, "epochs": 2, "batchSize": 16, "maxLength": 64,
             "saveStateEverySteps": 4, "saveTotalLimit": 2}""", Hyperparameters.class);

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        try {
            root = Files.createTempDirectory("trainer-recovery-");
            Path model = BundledModels.extract(BundledModels.DEMO_MODEL, root.resolve("base"));
            ReviewData data = ReviewData.of(DATASET, model, 96, 24, 5);
            data.publish(config.get("kafka.bootstrap.servers"));
            Instant submitted = Instant.parse("2026-01-01T00:00:00Z");
            TrainingJob job = new TrainingJob(TrainingJob.VERSION, RUNNING_JOB, DATASET, "distilbert-tiny",
                    HYPERPARAMETERS, submitted);
            Path dataDir = root.resolve("data");
            JobStore store = new JobStore(dataDir.resolve("jobs"));
            try {
                new TrainingRun(job, data.shards(), model, store.jobDir(RUNNING_JOB), Device.cpu())
                        .run(new RecordingEvents(11));
                throw new IllegalStateException("the first attempt was meant to crash");
            } catch (RecordingEvents.Crash expected) {
                // what the dead trainer left: states of steps 6 and 8, checkpoint epoch-1
            }
            store.save(job);
            store.save(new JobStatus(RUNNING_JOB, DATASET, "b1", "distilbert-tiny", HYPERPARAMETERS,
                    JobStatus.State.RUNNING, 11L, 12L, 2, 0.5, null, null, "cpu()",
                    List.of(RUNNING_JOB + "-epoch-1"), "training", submitted, submitted.plusSeconds(1), null, 1,
                    List.of(), null));
            TrainingJob done = new TrainingJob(TrainingJob.VERSION, DONE_JOB, DATASET, "distilbert-tiny", null,
                    submitted.minusSeconds(60));
            store.save(done);
            store.save(new JobStatus(DONE_JOB, DATASET, "b1", "distilbert-tiny", null, JobStatus.State.COMPLETED, 12L,
                    12L, 2, 0.4, null, null, "cpu()", List.of(), "done before the restart", done.submittedAt(),
                    done.submittedAt(), done.submittedAt().plusSeconds(30), 1, List.of(), null));

            TrainingJob cancelled = new TrainingJob(TrainingJob.VERSION, CANCELLED_JOB, DATASET, "distilbert-tiny",
                    null, submitted.plusSeconds(60));
            store.save(cancelled);
            store.save(JobStatus.queued(cancelled, "distilbert-tiny", "queued"));
            store.saveCancelRequest(CANCELLED_JOB);

            TrainingJob gone = new TrainingJob(TrainingJob.VERSION, GONE_BUILD_JOB, DATASET, "distilbert-tiny", null,
                    submitted.minusSeconds(30)).onBuild("b0");
            store.save(gone);
            store.save(JobStatus.queued(gone, "distilbert-tiny", "queued"));

            // The dataset's next version, other reviews in the same number: the newest build from now on.
            ReviewData.of(DATASET, model, 96, 24, 6).asBuild(NEWER_BUILD)
                    .publish(config.get("kafka.bootstrap.servers"));

            RecordingEvents reference = RecordingEvents.uninterrupted();
            new TrainingRun(job, data.shards(), model, root.resolve("reference"), Device.cpu()).run(reference);
            config.put("trainer.data-dir", dataDir.toString());
            config.put(REFERENCE, reference.checkpoints.get(RUNNING_JOB + "-final").toString());
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the recovered data directory", e);
        }
    }

    @Override
    public void stop() {
        super.stop();
        if (root != null) {
            Directories.delete(root);
        }
    }
}
