package io.finetune.trainer.training;

import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.SafeNames;
import io.finetune.contracts.TrainingJob;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A job's {@code settingsFrom}: the hyperparameters of an earlier job, as that job was submitted (with its own
 * {@code settingsFrom} applied), fill in every setting this job leaves out; a setting this job gives wins. Settings
 * the earlier job left to the defaults stay unset, so the trainer's defaults of today apply, as they would to any new
 * job; the settings a checkpoint was trained with, defaults included, are its {@code effectiveHyperparameters}.
 * Applying it twice gives the same job, so the REST check (which publishes the filled-in job) and the worker (which
 * applies it again to a job sent straight to Kafka) agree.
 */
public final class SettingsFrom {
    /** Jobs as submitted, by id: this trainer's disk, then the jobs topic. */
    private final Function<String, Optional<TrainingJob>> submittedJobs;

    public SettingsFrom(Function<String, Optional<TrainingJob>> submittedJobs) {
        this.submittedJobs = submittedJobs;
    }

    /** For a planner that knows no other jobs: a job with {@code settingsFrom} is refused with that reason. */
    public static SettingsFrom none() {
        return new SettingsFrom(id -> Optional.empty());
    }

    /**
     * @throws IllegalArgumentException the earlier job is unknown, or the chain of {@code settingsFrom} loops
     */
    public TrainingJob apply(TrainingJob job) {
        if (job.settingsFrom() == null) {
            return job;
        }
        return job.withHyperparameters(resolve(job, new LinkedHashSet<>()));
    }

    private Hyperparameters resolve(TrainingJob job, Set<String> seen) {
        String from = job.settingsFrom();
        if (from == null) {
            return job.hyperparameters();
        }
        if (!seen.add(job.jobId())) {
            throw new IllegalArgumentException("settingsFrom loops: " + String.join(" -> ", seen) + " -> "
                    + job.jobId());
        }
        if (!SafeNames.isSafe(from)) {
            throw new IllegalArgumentException("'settingsFrom' must be a job id such as job-1a2b3c4d, not '" + from
                    + "'");
        }
        TrainingJob earlier = submittedJobs.apply(from).orElseThrow(() -> new IllegalArgumentException(
                "settingsFrom names job '" + from + "', which neither this trainer nor finetune.training.jobs knows:"
                        + " name a job that GET /jobs lists or that was submitted to the jobs topic"));
        return fillIn(resolve(earlier, seen), job.hyperparameters());
    }

    /** {@code given}'s settings, and {@code earlier}'s for each one {@code given} leaves out. */
    static Hyperparameters fillIn(Hyperparameters earlier, Hyperparameters given) {
        if (earlier == null || given == null) {
            return given == null ? earlier : given;
        }
        RecordComponent[] components = Hyperparameters.class.getRecordComponents();
        try {
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                Object mine = components[i].getAccessor().invoke(given);
                values[i] = mine != null ? mine : components[i].getAccessor().invoke(earlier);
            }
            return Hyperparameters.class.getDeclaredConstructor(Arrays.stream(components)
                    .map(RecordComponent::getType).toArray(Class<?>[]::new)).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot combine hyperparameters", e instanceof InvocationTargetException
                    ? e.getCause() : e);
        }
    }
}
