package io.finetune.contracts;

import java.time.Instant;
import java.util.List;

/**
 * What a deployment serves, as a serving replica needs it to answer requests: on {@link Topics#DEPLOYMENTS},
 * compacted, keyed by the deployment's name. The evaluator, which keeps the deployments (docs/serving.md), writes one
 * after each change it records and all of them again when it starts, so the topic's last record of a name is what
 * that deployment serves; a replica tails the topic from the beginning and fetches each checkpoint's model from
 * {@link Topics#CHECKPOINTS}.
 *
 * @param name       the deployment's name, as requests give it
 * @param checkpoint the checkpoint whose model answers the deployment's requests
 * @param textFields the fields of a request's raw record that make its text (those of the checkpoint's dataset on
 *                   ingest's registry); null for a deployment recorded before requests could carry records
 * @param maxLength  the tokens a text is cut to: what the checkpoint was trained and evaluated with
 * @param updatedAt  when the evaluator recorded the change
 */
public record DeploymentState(int v, String name, String checkpoint, List<String> textFields, int maxLength,
                              Instant updatedAt) {
    public static final int VERSION = 1;
}
