package io.finetune.evaluator.serving;

import io.finetune.contracts.Topics;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Creating, re-pointing and rolling back deployments. A change is recorded before it takes effect, and the serving
 * loop reads a deployment's checkpoint once per batch, so a change swaps the model between two batches: every request
 * is answered once, by the old model or the new one, and its prediction names which. Models nothing serves or can roll
 * back to any more are released by the serving loop between batches ({@link #releaseUnused}), never under one.
 */
@ApplicationScoped
public class Deployments {
    private static final Logger LOG = Logger.getLogger(Deployments.class);

    private final DeploymentStore store;
    private final ServingModels models;
    private final EvaluationStore evaluations;
    private final DatasetTextFields textFields;
    private final DeploymentChanges changesOut;
    /**
     * Serialises the changes, which may read ingest's registry topic for as long as the broker takes to answer. Only
     * the pinning and recording that follow also hold this object's lock, which {@link #releaseUnused} takes after
     * every batch: a slow registry read delays other changes, never serving.
     */
    private final Object changes = new Object();
    /** Whether a change since the last {@link #releaseUnused} may have left a model unused. */
    private boolean changed = true;

    /** @param changesOut told of each change once it is recorded: publishes it later, never while it is told */
    public Deployments(DeploymentStore store, ServingModels models, EvaluationStore evaluations,
                       DatasetTextFields textFields, DeploymentChanges changesOut) {
        this.store = store;
        this.models = models;
        this.evaluations = evaluations;
        this.textFields = textFields;
        this.changesOut = changesOut;
    }

    public Optional<Deployment> get(String name) {
        return store.get(name);
    }

    public List<Deployment> all() {
        return store.all();
    }

    public Deployment create(String name, String checkpoint) {
        if (!Deployment.isValidName(name)) {
            throw new ServingException(ServingException.Kind.INVALID_NAME, "deployment name '" + name + "' must be 1-63"
                    + " lower-case letters, digits or inner dashes");
        }
        synchronized (changes) {
            if (store.get(name).isPresent()) {
                throw new ServingException(ServingException.Kind.ALREADY_EXISTS, "deployment '" + name
                        + "' exists already; point it at another checkpoint instead");
            }
            List<String> fields = textFieldsOf(checkpoint);
            return pinAndRecord(checkpoint, Deployment.create(name, checkpoint, fields, Instant.now()));
        }
    }

    /** Pointing a deployment at the checkpoint it serves changes nothing, but records text fields it lacks. */
    public Deployment point(String name, String checkpoint) {
        synchronized (changes) {
            Deployment current = existing(name);
            if (current.checkpoint().equals(checkpoint)) {
                return current.textFields() != null ? current
                        : record(current.withTextFields(textFieldsOf(checkpoint), Instant.now()));
            }
            List<String> fields = textFieldsOf(checkpoint);
            return pinAndRecord(checkpoint, current.pointedAt(checkpoint, fields, Instant.now()));
        }
    }

    public Deployment rollback(String name) {
        synchronized (changes) {
            Deployment current = existing(name);
            if (current.previous() == null) {
                throw new ServingException(ServingException.Kind.NOTHING_TO_ROLL_BACK, "deployment '" + name
                        + "' has served only checkpoint '" + current.checkpoint() + "' since its last rollback");
            }
            return record(current.rolledBack(textFieldsOf(current.previous()), Instant.now()));
        }
    }

    /**
     * Lets newly evaluated checkpoints replace the deployment's on their own when they win on the promotion holdout
     * ({@link Promotions}). Only where there is a holdout to judge on: the dataset of the checkpoint it serves must
     * have been prepared with a holdoutFraction above 0.
     */
    public Deployment setPolicy(String name, PromotionPolicy policy) {
        synchronized (changes) {
            Deployment current = existing(name);
            EvaluatedCheckpoint served = evaluations.get(current.checkpoint()).orElseThrow(() -> new ServingException(
                    ServingException.Kind.UNKNOWN_CHECKPOINT, "no evaluation of checkpoint '" + current.checkpoint()
                    + "' on record"));
            int holdout = served.data() == null ? 0 : served.data().examples(PromotionPolicy.HOLDOUT);
            if (holdout == 0) {
                String dataset = served.result().dataset();
                throw new ServingException(ServingException.Kind.NO_HOLDOUT, "deployment '" + name + "' serves"
                        + " checkpoint '" + current.checkpoint() + "' of dataset '" + dataset + "', whose build "
                        + (served.data() == null ? "" : served.data().build() + " ") + "has no promotion holdout to"
                        + " judge challengers on: seal the dataset again with the preprocess option holdoutFraction"
                        + " (0.1, say), train on that build, point the deployment at the new checkpoint, then set the"
                        + " policy (docs/serving.md#promotion)");
            }
            return record(current.withPolicy(policy, Instant.now()));
        }
    }

    public Deployment clearPolicy(String name) {
        synchronized (changes) {
            Deployment current = existing(name);
            return current.policy() == null ? current : record(current.withPolicy(null, Instant.now()));
        }
    }

    /** When the deployment retrains its champion on its own; what it submitted under an earlier policy is kept. */
    public Deployment setRetraining(String name, RetrainingPolicy retraining) {
        synchronized (changes) {
            Deployment current = existing(name);
            return record(current.withRetraining(retraining.continuing(current.retraining()), Instant.now()));
        }
    }

    public Deployment clearRetraining(String name) {
        synchronized (changes) {
            Deployment current = existing(name);
            return current.retraining() == null ? current : record(current.withRetraining(null, Instant.now()));
        }
    }

    /**
     * Notes in the deployment's retraining policy a job submitted for it, and the newer build that triggered it
     * (null: asked for); a deployment without a policy keeps none.
     */
    Deployment retrained(String name, String job, String build) {
        synchronized (changes) {
            Deployment current = existing(name);
            return current.retraining() == null ? current
                    : record(current.withRetraining(current.retraining().submitted(job, build), Instant.now()));
        }
    }

    /**
     * Points the deployment at the winner, as {@link #point} does, unless it no longer serves the champion the winner
     * beat (a person pointed it elsewhere while the two were scored).
     *
     * @return whether it now serves the winner
     */
    boolean promote(String name, String champion, String winner) {
        synchronized (changes) {
            Optional<Deployment> current = store.get(name);
            if (current.isEmpty() || !current.get().checkpoint().equals(champion)) {
                return false;
            }
            List<String> fields = textFieldsOf(winner);
            pinAndRecord(winner, current.get().pointedAt(winner, fields, Instant.now()));
            return true;
        }
    }

    Deployment existing(String name) {
        return store.get(name).orElseThrow(() -> new ServingException(ServingException.Kind.UNKNOWN_DEPLOYMENT,
                "no deployment '" + name + "'"));
    }

    /**
     * The text fields of the checkpoint's dataset, read from ingest's registry now: a request's raw record is read
     * through them while the deployment serves the checkpoint.
     */
    private List<String> textFieldsOf(String checkpoint) {
        EvaluatedCheckpoint evaluated = evaluations.get(checkpoint).orElseThrow(() -> new ServingException(
                ServingException.Kind.UNKNOWN_CHECKPOINT, "no evaluated checkpoint '" + checkpoint + "'"));
        String dataset = evaluated.result().dataset();
        try {
            return textFields.of(dataset);
        } catch (RuntimeException e) {
            throw new ServingException(ServingException.Kind.REGISTRY_UNAVAILABLE, "the definition of dataset '"
                    + dataset + "' (checkpoint '" + checkpoint + "') could not be read from "
                    + Topics.DATASET_REGISTRY + ": " + e.getMessage() + "; nothing was changed, try again", e);
        }
    }

    /** The pin and the record together, so that {@link #releaseUnused} never unpins the model in between. */
    private synchronized Deployment pinAndRecord(String checkpoint, Deployment deployment) {
        models.pin(checkpoint);
        return record(deployment);
    }

    private synchronized Deployment record(Deployment deployment) {
        store.save(deployment);
        changed = true;
        changesOut.changed(deployment.name()); // noted only: the state is published off this lock
        LOG.infof("deployment %s serves checkpoint %s (before: %s, promotion policy: %s, retraining: %s, a request's"
                        + " record read through %s)", deployment.name(), deployment.checkpoint(), deployment.previous(),
                deployment.policy(), deployment.retraining(), deployment.textFields());
        return deployment;
    }

    /**
     * Unloads and unpins the models no deployment serves or can roll back to. For the serving loop, between batches:
     * a batch uses the models its deployments pointed at when it began, which a change during it must not take away.
     * Under this object's lock, so it never races a change that has pinned a model but not yet recorded it; a change
     * holds that lock only to pin and record, never while it reads the registry.
     */
    public synchronized void releaseUnused() {
        if (!changed) {
            return;
        }
        changed = false;
        Set<String> kept = new HashSet<>();
        for (Deployment d : store.all()) {
            kept.add(d.checkpoint());
            if (d.previous() != null) {
                kept.add(d.previous());
            }
        }
        models.retainOnly(kept);
    }
}
