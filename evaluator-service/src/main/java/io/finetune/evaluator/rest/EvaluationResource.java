package io.finetune.evaluator.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * Evaluations by checkpoint. Each is the EvaluationResult as published on finetune.evaluation.results, plus
 * {@code rocAuc} and {@code averagePrecision} for two-class tasks.
 */
@Path("/evaluations")
@Produces(MediaType.APPLICATION_JSON)
public class EvaluationResource {
    private final EvaluationStore store;

    public EvaluationResource(EvaluationStore store) {
        this.store = store;
    }

    /** All evaluations, newest first. */
    @GET
    public List<ObjectNode> all() {
        return store.all().stream().map(EvaluatedCheckpoint::toJson).toList();
    }

    @GET
    @Path("/{checkpointId}")
    public ObjectNode one(@PathParam("checkpointId") String checkpointId) {
        return store.get(checkpointId).map(EvaluatedCheckpoint::toJson).orElseThrow(() -> Problem.of(
                Response.Status.NOT_FOUND, "no evaluation of checkpoint '" + checkpointId + "'"));
    }
}
