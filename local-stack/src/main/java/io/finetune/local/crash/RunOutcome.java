package io.finetune.local.crash;

import io.finetune.contracts.EvaluationResult;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one run left behind, as read back from Kafka and the services' APIs after it ended.
 *
 * @param examples       every example in the dataset's shards as {@code split/id -> label:tokens}, read from Kafka
 * @param repeatedIds    how many example ids appear in the shards more than once
 * @param jobState       the trainer's final state of the job, with " @STEP" when it resumed from that step
 * @param checkpoints    the checkpoint ids the trainer announced on the progress topic
 * @param evaluations    every evaluation result published for the job, by checkpoint id, duplicates included
 * @param predictions    what the final checkpoint answers for each test example's text over {@code POST /predict},
 *                       by example id
 * @param served         every prediction on the predictions topic for the run's inference requests, by request id,
 *                       repeats included; a request's id is {@code <round>/<example id>}
 * @param failure        why the run could not finish, or null
 */
record RunOutcome(String jobId, Map<String, String> examples, int repeatedIds, String jobState,
                  Set<String> checkpoints, Map<String, List<EvaluationResult>> evaluations,
                  EvaluationResult finalEvaluation, Map<String, Answer> predictions,
                  Map<String, List<Served>> served, String failure, Timeline timeline) {

    /** One prediction: the label and every label's probability. */
    record Answer(String label, Map<String, Double> probabilities) {
    }

    /** A prediction from the deployment: which checkpoint gave it, what it said, and which serving process. */
    record Served(String checkpoint, Answer answer, String servedBy) {
    }

    static RunOutcome failed(String jobId, String failure, Timeline timeline) {
        return new RunOutcome(jobId, Map.of(), 0, "UNKNOWN", Set.of(), Map.of(), null, Map.of(), Map.of(), failure,
                timeline);
    }

    /** The example a served request asked about: its id less the round. */
    static String exampleOf(String requestId) {
        return requestId.substring(requestId.indexOf('/') + 1);
    }

    /**
     * The checkpoints announced or evaluated, by id without the job id in front ({@code epoch-3}, {@code step-40},
     * {@code final}), so that two runs of the same job under different ids can be compared.
     */
    Set<String> checkpointNames() {
        Set<String> names = new java.util.TreeSet<>();
        Set<String> ids = new java.util.HashSet<>(checkpoints);
        ids.addAll(evaluations.keySet());
        for (String id : ids) {
            names.add(id.startsWith(jobId + "-") ? id.substring(jobId.length() + 1) : id);
        }
        return names;
    }

    /** The evaluation of a checkpoint named as {@link #checkpointNames()} names it, or null. */
    EvaluationResult evaluation(String checkpointName) {
        List<EvaluationResult> results = evaluations.get(jobId + "-" + checkpointName);
        return results == null || results.isEmpty() ? null : results.get(0);
    }
}
