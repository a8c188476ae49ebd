package io.finetune.evaluator.serving;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.PromotionDecision;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.ModelShelf;
import io.finetune.evaluator.domain.Rejection;
import io.finetune.evaluator.domain.TestSetCache;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Champion against challenger (docs/serving.md#promotion). Each newly evaluated checkpoint is a challenger of every
 * deployment with a policy whose champion was trained on the same dataset with the same labels: both are scored on
 * the promotion holdout of the build the challenger was trained on, and the challenger replaces the champion (as
 * {@link Deployments#point} does, the champion kept as {@code previous}) when {@link PromotionRule} says it wins.
 * Every verdict goes on the promotions topic and into the deployment's history, wins and losses alike.
 *
 * <p>Runs on the evaluation worker, after the challenger's evaluation was recorded, so scoring never competes with an
 * evaluation for the device. At least once: a verdict is published, then acted on, then recorded; a failure that
 * passes before the record is retried with the evaluation (the event may then appear twice, same key and content).
 */
@ApplicationScoped
public class Promotions {
    private static final Logger LOG = Logger.getLogger(Promotions.class);

    private final Deployments deployments;
    private final EvaluationStore evaluations;
    private final TestSetCache datasets;
    private final HoldoutScores scores;
    private final ModelShelf shelf;
    private final ServingModels models;
    private final PromotionHistory history;
    private final PromotionEvents events;

    public Promotions(Deployments deployments, EvaluationStore evaluations, TestSetCache datasets,
                      HoldoutScores scores, ModelShelf shelf, ServingModels models, PromotionHistory history,
                      PromotionEvents events) {
        this.deployments = deployments;
        this.evaluations = evaluations;
        this.datasets = datasets;
        this.scores = scores;
        this.shelf = shelf;
        this.models = models;
        this.history = history;
        this.events = events;
    }

    /**
     * Judges the newly evaluated checkpoint for every deployment it may challenge, once per deployment. Called again
     * for the same checkpoint (a retry of its evaluation after a failure that passes, or a restart), it finishes what
     * a recorded verdict left undone and publishes it again.
     */
    public void consider(EvaluatedCheckpoint challenger) {
        String id = challenger.result().checkpointId();
        for (Deployment deployment : deployments.all()) {
            Optional<PromotionDecision> earlier = history.decision(deployment.name(), id);
            if (earlier.isPresent()) {
                carryOut(earlier.get());
                continue;
            }
            if (deployment.policy() == null || deployment.checkpoint().equals(id)) {
                continue;
            }
            Optional<EvaluatedCheckpoint> champion = evaluations.get(deployment.checkpoint());
            if (champion.isEmpty() || !sameTask(champion.get(), challenger)) {
                continue; // another dataset or other labels: not a challenger of this deployment
            }
            PromotionDecision decision = judge(deployment, champion.get(), challenger);
            history.add(decision); // first: the verdict is what a retry carries out
            LOG.infof("deployment %s: challenger %s %s (%s)", deployment.name(), id, decision.outcome(),
                    decision.reason());
            carryOut(decision);
        }
    }

    /** Points the deployment at a winner (a second time changes nothing) and publishes the verdict. */
    private void carryOut(PromotionDecision decision) {
        if (decision.promoted() && !deployments.promote(decision.deployment(), decision.champion(),
                decision.challenger())) {
            Optional<Deployment> now = deployments.get(decision.deployment());
            if (now.isEmpty() || !now.get().checkpoint().equals(decision.challenger())) {
                // A person pointed it elsewhere (or removed it) while the two were scored: their choice stands.
                decision = withOutcome(decision, PromotionDecision.KEPT, decision.reason() + "; but the deployment"
                        + " was pointed elsewhere meanwhile, so it was not promoted");
                history.add(decision);
            }
        }
        events.publish(decision);
    }

    private static PromotionDecision withOutcome(PromotionDecision d, String outcome, String reason) {
        return new PromotionDecision(d.v(), d.deployment(), outcome, d.champion(), d.challenger(), d.metric(),
                d.greaterIsBetter(), d.minImprovement(), d.championScore(), d.challengerScore(), d.evaluationSet(),
                reason, d.decidedAt());
    }

    private static boolean sameTask(EvaluatedCheckpoint champion, EvaluatedCheckpoint challenger) {
        return Objects.equals(champion.result().dataset(), challenger.result().dataset())
                && Objects.equals(champion.result().labels(), challenger.result().labels());
    }

    private PromotionDecision judge(Deployment deployment, EvaluatedCheckpoint champion,
                                    EvaluatedCheckpoint challenger) {
        PromotionPolicy policy = deployment.policy();
        String dataset = challenger.result().dataset();
        // The challenger's own build: fixed for the challenger (a verdict carried out again after a restart, or the
        // champion's score kept per build, never meets another set), the newest in the retraining loop, and with a
        // holdout stable across versions, no record either model trained on (docs/serving.md#promotion).
        DatasetShards data = datasets.get(dataset, challenger.checkpoint().build()).orElse(null);
        if (data == null || data.split(PromotionPolicy.HOLDOUT).isEmpty()) {
            return kept(deployment, champion, challenger, null, null, null, "dataset '" + dataset + "'"
                    + (data == null ? " has no build on the shards topic" : " build " + data.manifest().build()
                    + " has no promotion holdout (prepare it with holdoutFraction above 0)")
                    + ": nothing to compare on, the champion stays");
        }
        PromotionDecision.EvaluationSet set = new PromotionDecision.EvaluationSet(dataset, data.manifest().build(),
                PromotionPolicy.HOLDOUT, data.split(PromotionPolicy.HOLDOUT).size());
        if (!Objects.equals(tokenizer(champion), data.manifest().tokenizer())) {
            return kept(deployment, champion, challenger, null, null, set, "the champion was trained with tokenizer "
                    + tokenizer(champion) + ", the evaluation set is tokenized with " + data.manifest().tokenizer()
                    + ": its scores would not be comparable, the champion stays");
        }
        HoldoutScores.Score championScore;
        HoldoutScores.Score challengerScore;
        try {
            championScore = scores.score(champion, data, models.pinned(deployment.checkpoint()).or(() ->
                    shelf.model(deployment.checkpoint())).orElseThrow(() -> new Rejection("model-not-kept", dataset,
                    "the champion's model is neither pinned nor kept")));
            challengerScore = scores.score(challenger, data, modelOf(challenger));
        } catch (Rejection e) {
            return kept(deployment, champion, challenger, null, null, set, "could not be scored on the evaluation"
                    + " set (" + e.reason() + ": " + e.getMessage() + "): the champion stays");
        }
        double championValue = championScore.value(policy.metric());
        double challengerValue = challengerScore.value(policy.metric());
        PromotionRule.Verdict verdict = PromotionRule.judge(policy, championValue, challengerValue);
        return decision(deployment, verdict.promote() ? PromotionDecision.PROMOTED : PromotionDecision.KEPT,
                champion, challenger, finite(championValue), finite(challengerValue), set, verdict.reason());
    }

    private Path modelOf(EvaluatedCheckpoint challenger) {
        String id = challenger.result().checkpointId();
        return shelf.model(id).orElseThrow(() -> new Rejection("model-not-kept", challenger.result().dataset(),
                "the challenger's model is no longer kept (evaluator.keep-models)"));
    }

    private static String tokenizer(EvaluatedCheckpoint checkpoint) {
        return checkpoint.data() == null ? null : checkpoint.data().tokenizer();
    }

    private static Double finite(double value) {
        return Double.isNaN(value) ? null : value;
    }

    private static PromotionDecision kept(Deployment deployment, EvaluatedCheckpoint champion,
                                          EvaluatedCheckpoint challenger, Double championScore,
                                          Double challengerScore, PromotionDecision.EvaluationSet set, String reason) {
        return decision(deployment, PromotionDecision.KEPT, champion, challenger, championScore, challengerScore, set,
                reason);
    }

    private static PromotionDecision decision(Deployment deployment, String outcome, EvaluatedCheckpoint champion,
                                              EvaluatedCheckpoint challenger, Double championScore,
                                              Double challengerScore, PromotionDecision.EvaluationSet set,
                                              String reason) {
        PromotionPolicy policy = deployment.policy();
        return new PromotionDecision(PromotionDecision.VERSION, deployment.name(), outcome,
                champion.result().checkpointId(), challenger.result().checkpointId(), policy.metric(),
                policy.greaterIsBetter(), policy.minImprovement(), championScore, challengerScore, set, reason,
                Instant.now());
    }
}
