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
 * @param failure        why the run could not finish, or null
 */
record RunOutcome(Map<String, String> examples, int repeatedIds, String jobState, Set<String> checkpoints,
                  Map<String, List<EvaluationResult>> evaluations, EvaluationResult finalEvaluation, String failure,
                  Timeline timeline) {

    static RunOutcome failed(String failure, Timeline timeline) {
        return new RunOutcome(Map.of(), 0, "UNKNOWN", Set.of(), Map.of(), null, failure, timeline);
    }
}
