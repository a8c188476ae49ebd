package io.finetune.evaluator.serving;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.Json;
import io.finetune.contracts.TrainingJob;
import io.finetune.contracts.Topics;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.messaging.AcknowledgedProducer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Retrains a deployment's champion (docs/serving.md#retraining): puts a {@link TrainingJob} on
 * {@link Topics#TRAINING_JOBS} for the champion's dataset, with the champion's hyperparameters as its job submitted
 * them, warm-started from the champion or from the pretrained model its line began with. A job for a newer build
 * names that build, so it trains on it even where another is prepared before it starts; one asked for names none,
 * and the trainer pins the dataset's newest build when it starts. The evaluator evaluates the new checkpoints as any
 * others, and a promotion policy decides whether one replaces the champion. Asked for over REST, or on its own for
 * each newer build of the dataset.
 */
@ApplicationScoped
public class Retraining {
    private static final Logger LOG = Logger.getLogger(Retraining.class);
    private static final String JOB_PREFIX = "retrain-";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Deployments deployments;
    private final EvaluationStore evaluations;
    private final AcknowledgedProducer producer;
    /** Each dataset's builds in the order their manifests stand on the shards topic, as far as read (oldest first). */
    private final Map<String, LinkedHashSet<String>> builds = new HashMap<>();

    public Retraining(Deployments deployments, EvaluationStore evaluations, AcknowledgedProducer producer) {
        this.deployments = deployments;
        this.evaluations = evaluations;
        this.producer = producer;
    }

    /** Whether any deployment retrains on newer builds: only then is the shards topic watched. */
    public boolean anyOnNewBuilds() {
        return deployments.all().stream().anyMatch(d -> d.retraining() != null && d.retraining().onNewBuilds());
    }

    /**
     * Sets the policy. With {@link RetrainingPolicy#NEW_BUILD}, the shards topic's watcher submits the job for a
     * build newer than the champion's, one already known included, within a second ({@link #retrainNewer}).
     */
    public synchronized Deployment setPolicy(String name, RetrainingPolicy policy) {
        return deployments.setRetraining(name, policy);
    }

    /**
     * Submits a retraining job now.
     *
     * @param warmStart {@link RetrainingPolicy#CHAMPION} or {@link RetrainingPolicy#BASE}; null: the policy's, else
     *                  the champion
     */
    public synchronized TrainingJob requestNow(String name, String warmStart) {
        Deployment deployment = deployments.existing(name);
        String start = warmStart != null ? RetrainingPolicy.of(RetrainingPolicy.ON_REQUEST, warmStart).warmStart()
                : deployment.retraining() != null ? deployment.retraining().warmStart() : RetrainingPolicy.CHAMPION;
        TrainingJob job = job(deployment, start, STAMP.format(Instant.now()), null);
        submit(deployment, job, null);
        return job;
    }

    /** A manifest read from the shards topic, in topic order. */
    public synchronized void onBuild(String dataset, String build) {
        builds.computeIfAbsent(dataset, d -> new LinkedHashSet<>()).add(build);
    }

    /**
     * Submits a job for each deployment retraining on newer builds whose dataset has one. A send Kafka does not
     * acknowledge is logged and tried again on the next call: the build is noted only once its job is on the topic.
     */
    public synchronized void retrainNewer() {
        for (Deployment deployment : deployments.all()) {
            if (deployment.retraining() != null && deployment.retraining().onNewBuilds()) {
                try {
                    retrainIfNewer(deployment);
                } catch (IllegalStateException e) {
                    LOG.warnf("deployment %s: retraining not submitted yet, tried again shortly: %s",
                            deployment.name(), e.getMessage());
                }
            }
        }
    }

    Optional<String> newerBuild(Deployment deployment) {
        CheckpointInfo champion = evaluations.get(deployment.checkpoint()).map(EvaluatedCheckpoint::checkpoint)
                .orElse(null);
        return champion == null ? Optional.empty() : newerBuild(List.copyOf(builds.getOrDefault(champion.dataset(),
                new LinkedHashSet<>())), champion.build(), deployment.retraining().lastBuild());
    }

    /**
     * The newest of a dataset's builds when it came after the champion's build and no job was submitted for it yet.
     * Builds of a dataset share one partition (keyed by dataset), so their order there is the order they were made.
     *
     * @param known the dataset's builds read so far, oldest first
     */
    static Optional<String> newerBuild(List<String> known, String championBuild, String lastSubmitted) {
        if (!known.contains(championBuild)) {
            return Optional.empty(); // not read that far yet: whatever came before it is older
        }
        String newest = known.get(known.size() - 1);
        return newest.equals(championBuild) || newest.equals(lastSubmitted) ? Optional.empty() : Optional.of(newest);
    }

    private void retrainIfNewer(Deployment deployment) {
        Optional<String> build = newerBuild(deployment);
        if (build.isEmpty()) {
            return;
        }
        TrainingJob job;
        try {
            // One job id per deployment and build: sent twice (a crash before it was noted), the trainer takes it once.
            job = job(deployment, deployment.retraining().warmStart(), build.get(), build.get());
        } catch (ServingException e) {
            LOG.errorf("deployment %s: build %s is not retrained: %s", deployment.name(), build.get(), e.getMessage());
            deployments.retrained(deployment.name(), null, build.get());
            return;
        }
        submit(deployment, job, build.get());
    }

    private Deployment submit(Deployment deployment, TrainingJob job, String build) {
        producer.send(Topics.TRAINING_JOBS, job.jobId(), Json.write(job), "retraining job " + job.jobId()
                + " of deployment " + deployment.name());
        LOG.infof("deployment %s: retraining job %s submitted (%s, dataset %s%s)", deployment.name(), job.jobId(),
                job.baseModel(), job.dataset(), build == null ? ", asked for" : ", newer build " + build);
        return deployments.retrained(deployment.name(), job.jobId(), build);
    }

    /** @param build the build to train on; null: the newest when the trainer starts the job */
    private TrainingJob job(Deployment deployment, String warmStart, String suffix, String build) {
        CheckpointInfo champion = evaluations.get(deployment.checkpoint()).map(EvaluatedCheckpoint::checkpoint)
                .orElseThrow(() -> new ServingException(ServingException.Kind.CANNOT_RETRAIN, "deployment '"
                        + deployment.name() + "' serves checkpoint '" + deployment.checkpoint() + "', whose"
                        + " evaluation does not record the job that trained it (its checkpoint.json)"));
        String baseModel = RetrainingPolicy.BASE.equals(warmStart) ? lineBase(champion)
                : TrainingJob.CHECKPOINT + champion.checkpointId();
        String jobId = JOB_PREFIX + deployment.name() + "-" + safe(suffix);
        return new TrainingJob(TrainingJob.VERSION, jobId, champion.dataset(), baseModel, champion.hyperparameters(),
                Instant.now()).onBuild(build);
    }

    /** The pretrained (or scratch) model the champion's line of warm-started jobs began with. */
    private String lineBase(CheckpointInfo champion) {
        String base = champion.baseModel();
        Set<String> visited = new HashSet<>();
        List<String> line = new ArrayList<>(List.of(champion.checkpointId()));
        while (TrainingJob.warmStart(base).isPresent()) {
            String from = TrainingJob.warmStart(base).get();
            Optional<CheckpointInfo> earlier = evaluations.get(from).map(EvaluatedCheckpoint::checkpoint);
            if (!visited.add(from) || earlier.isEmpty()) {
                throw new ServingException(ServingException.Kind.CANNOT_RETRAIN, "the champion's line ("
                        + String.join(" <- ", line) + ") was warm-started from checkpoint '" + from + "', which this"
                        + " evaluator has no evaluation of: its base model is not known; retrain from the champion"
                        + " (warmStart champion) or submit a job to the trainer");
            }
            line.add(from);
            base = earlier.get().baseModel();
        }
        return base;
    }

    /** A build id or time stamp as part of a job id: letters, digits, '.', '_' and '-', at most 16. */
    private static String safe(String suffix) {
        String kept = suffix.replaceAll("[^A-Za-z0-9._-]", "-");
        return kept.length() <= 16 ? kept : kept.substring(0, 16);
    }
}
