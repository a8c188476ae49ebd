package io.finetune.trainer.messaging;

import io.finetune.contracts.Json;
import io.finetune.contracts.KeyedTopicScan;
import io.finetune.contracts.TrainingJob;
import io.finetune.contracts.Topics;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Finds a job as it was submitted on {@link Topics#TRAINING_JOBS} (kept forever), whichever replica ran it: what
 * {@code settingsFrom} needs when the job is not on this trainer's disk. The first readable record of the job id
 * wins (later ones are redeliveries of the same job).
 */
public final class JobTopicReader {
    private static final Logger LOG = Logger.getLogger(JobTopicReader.class);
    private final KeyedTopicScan scan;

    public JobTopicReader(Map<String, Object> kafkaConfig) {
        this.scan = new KeyedTopicScan(kafkaConfig);
    }

    public Optional<TrainingJob> find(String jobId) {
        AtomicReference<TrainingJob> found = new AtomicReference<>();
        scan.scan(Topics.TRAINING_JOBS, jobId, record -> {
            try {
                found.set(Json.read(new String(record.value(), StandardCharsets.UTF_8), TrainingJob.class));
            } catch (RuntimeException e) { // any record a user wrote by hand: not this job
                LOG.debugf("skipping unreadable record of job %s at offset %d: %s", jobId, record.offset(),
                        e.getMessage());
            }
            return found.get() == null;
        });
        return Optional.ofNullable(found.get());
    }
}
