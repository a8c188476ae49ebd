package io.finetune.evaluator.replica;

import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.service.rest.Problem;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A serving replica has no REST API: its evaluations, deployments and reports are the evaluator's, which a replica
 * only mirrors. Every request answers 404 with a problem saying where to go instead (health and metrics under
 * {@code /q/} are not REST resources, and stay).
 */
public class ReplicaOnlyApi {
    static final String DETAIL = "this is a serving replica of evaluator-service: it answers inference requests on"
            + " Kafka and has no REST API; deployments are read and changed on evaluator-service";

    private final EvaluatorConfig config;

    public ReplicaOnlyApi(EvaluatorConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Response refuse() {
        return config.role() == EvaluatorConfig.Role.SERVING
                ? Problem.of(Response.Status.NOT_FOUND, DETAIL).getResponse() : null;
    }
}
