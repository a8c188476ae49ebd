package io.finetune.evaluator.rest;

import io.finetune.evaluator.config.EvaluatorConfig;
import io.finetune.evaluator.domain.BestCheckpoint;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.ModelShelf;
import io.finetune.evaluator.domain.Predictions;
import io.finetune.evaluator.domain.TextClassifier;
import io.finetune.service.rest.BodyLimit;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

import java.nio.file.Files;
import java.util.List;

/** Labels for new text from a fine-tuned checkpoint this service evaluated and still keeps. */
@Path("/predict")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Predictions", description = "Labels for new text from a fine-tuned checkpoint")
public class PredictResource {

    /**
     * @param checkpoint a checkpoint id; else {@code job}'s best checkpoint (its final one, the trainer's choice by
     *                   validation); else the newest evaluated checkpoint whose model is kept
     */
    public record PredictRequest(List<String> texts, String checkpoint, String job) {
    }

    public record PredictResponse(String checkpoint, String job, List<TextClassifier.Prediction> predictions) {
    }

    private final EvaluationStore store;
    private final ModelShelf shelf;
    private final Predictions predictions;
    private final EvaluatorConfig config;

    public PredictResource(EvaluationStore store, ModelShelf shelf, Predictions predictions, EvaluatorConfig config) {
        this.store = store;
        this.shelf = shelf;
        this.predictions = predictions;
        this.config = config;
    }

    // Reads a model and writes nothing: read-only credentials may predict (docs/security.md).
    @RolesAllowed(Roles.READ)
    @POST
    @BodyLimit("predict")
    @Operation(summary = "Label texts", description = "With the checkpoint named, else the job's best checkpoint (the"
            + " trainer's final one, chosen on validation), else the newest evaluated checkpoint whose model is kept")
    @APIResponse(responseCode = "200", description = "A label and the class probabilities per text")
    @APIResponse(responseCode = "400", description = "'texts' is missing or empty, or a text is empty")
    @APIResponse(responseCode = "404", description = "No such evaluated checkpoint or job, or its model is no longer"
            + " kept")
    @APIResponse(responseCode = "413", description = "More texts than evaluator.predict-max-texts")
    public PredictResponse predict(@RequestBody(description = "texts, and optionally checkpoint or job")
                                   PredictRequest request) {
        List<String> texts = request == null ? null : request.texts();
        if (texts == null || texts.isEmpty()) {
            throw Problem.of(Response.Status.BAD_REQUEST, "'texts' must list at least one text");
        }
        if (texts.size() > config.predictMaxTexts()) {
            throw Problem.of(Response.Status.REQUEST_ENTITY_TOO_LARGE, texts.size() + " texts in one request; the "
                    + "limit is " + config.predictMaxTexts() + " (evaluator.predict-max-texts)");
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null || texts.get(i).isBlank()) {
                throw Problem.of(Response.Status.BAD_REQUEST, "text " + i + " is empty");
            }
        }
        EvaluatedCheckpoint chosen = choose(request);
        java.nio.file.Path dir = shelf.model(chosen.result().checkpointId()).orElseThrow(() -> Problem.of(
                Response.Status.NOT_FOUND, "the model of checkpoint '" + chosen.result().checkpointId()
                        + "' is no longer kept (evaluator.keep-models)"));
        return new PredictResponse(chosen.result().checkpointId(), chosen.result().jobId(),
                predictions.predict(chosen, dir, texts));
    }

    private EvaluatedCheckpoint choose(PredictRequest request) {
        if (request.checkpoint() != null) {
            return store.get(request.checkpoint()).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND,
                    "no evaluated checkpoint '" + request.checkpoint() + "'"));
        }
        if (request.job() != null) {
            if (store.byJob(request.job()).isEmpty()) {
                throw Problem.of(Response.Status.NOT_FOUND, "no evaluated checkpoint of job '" + request.job() + "'");
            }
            return store.best(request.job()).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND,
                    BestCheckpoint.notYet(request.job())));
        }
        return store.all().stream().filter(e -> shelf.model(e.result().checkpointId()).isPresent()).findFirst()
                .orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND, "no evaluated checkpoint with a kept "
                        + "model yet"));
    }
}
