package io.finetune.evaluator.serving;

import java.util.List;

/**
 * What answering a request needs of a deployment, whoever keeps it: the evaluator's {@link Deployment} or a serving
 * replica's copy of a {@code DeploymentState} from the deployments topic.
 */
public interface ServedDeployment {
    String name();

    /** The checkpoint whose model answers the deployment's requests. */
    String checkpoint();

    /** The fields of a request's raw record that make its text; null when the deployment knows none. */
    List<String> textFields();
}
