package io.finetune.evaluator.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.evaluator.domain.Diagnosis;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.Finding;
import io.finetune.evaluator.domain.ModelShelf;
import io.finetune.evaluator.domain.TransferGuards;
import io.finetune.evaluator.report.ReportPage;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import jakarta.ws.rs.core.StreamingOutput;

import java.nio.file.Files;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Evaluations by checkpoint. Each is the EvaluationResult as published on finetune.evaluation.results; around it the
 * HTML report, the advice, and the fine-tuned model itself.
 */
@Path("/evaluations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Evaluations")
public class EvaluationResource {
    private static final Diagnosis DIAGNOSIS = new Diagnosis(Diagnosis.Thresholds.defaults());
    private static final String CHECKPOINT = "The checkpoint's id, as GET /evaluations lists it";
    private final EvaluationStore store;
    private final ModelShelf shelf;

    public EvaluationResource(EvaluationStore store, ModelShelf shelf) {
        this.store = store;
        this.shelf = shelf;
    }

    /** All evaluations, newest first. */
    @RolesAllowed(Roles.READ)
    @GET
    @Operation(summary = "List evaluations", description = "Every evaluated checkpoint, newest first")
    @APIResponse(responseCode = "200", description = "The evaluations, newest first")
    public List<ObjectNode> all() {
        return store.all().stream().map(EvaluatedCheckpoint::toJson).toList();
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{checkpointId}")
    @Operation(summary = "One evaluation", description = "The checkpoint's EvaluationResult as published on"
            + " finetune.evaluation.results: accuracy, per-class precision, recall and F1, confusion matrix")
    @APIResponse(responseCode = "200", description = "The evaluation")
    @APIResponse(responseCode = "404", description = "No evaluation of this checkpoint")
    public ObjectNode one(@Parameter(description = CHECKPOINT) @PathParam("checkpointId") String checkpointId) {
        return find(checkpointId).toJson();
    }

    /** What holds this run back, each finding with its evidence and a suggested change; empty for a healthy run. */
    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{checkpointId}/advice")
    @Operation(summary = "What holds the run back", description = "Findings, each with its evidence and a suggested"
            + " change; empty for a healthy run (docs/evaluation.md)")
    @APIResponse(responseCode = "200", description = "The findings")
    @APIResponse(responseCode = "404", description = "No evaluation of this checkpoint")
    public List<Finding> advice(@Parameter(description = CHECKPOINT) @PathParam("checkpointId") String checkpointId) {
        return DIAGNOSIS.diagnose(Diagnosis.Run.of(find(checkpointId)));
    }

    /**
     * What the run did against catastrophic forgetting: base model (pretrained or scratch), learning rate, epochs run
     * of planned, early stopping and the kept epoch, warmup, weight decay, frozen layers. The advice's
     * high-learning-rate, no-early-stopping and freeze-lower-layers findings read these; 404 without a checkpoint.json.
     */
    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{checkpointId}/guards")
    @Operation(summary = "What the run did against catastrophic forgetting", description = "Base model, learning"
            + " rate, epochs run of planned, early stopping, warmup, weight decay, frozen layers")
    @APIResponse(responseCode = "200", description = "The guards")
    @APIResponse(responseCode = "404", description = "No evaluation of this checkpoint, or it came without a"
            + " checkpoint.json")
    public TransferGuards guards(@Parameter(description = CHECKPOINT) @PathParam("checkpointId")
                                 String checkpointId) {
        TransferGuards guards = TransferGuards.of(find(checkpointId).checkpoint());
        if (guards == null) {
            throw Problem.of(Response.Status.NOT_FOUND, "checkpoint '" + checkpointId + "' came without a "
                    + "checkpoint.json, so its training settings are unknown");
        }
        return guards;
    }

    /** A self-contained page (inline SVG charts, no scripts) to read in a browser or attach to a ticket. */
    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{checkpointId}/report")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The HTML report", description = "A self-contained page: metrics, charts, advice")
    @APIResponse(responseCode = "200", description = "The report")
    @APIResponse(responseCode = "404", description = "No evaluation of this checkpoint")
    public String report(@Parameter(description = CHECKPOINT) @PathParam("checkpointId") String checkpointId) {
        EvaluatedCheckpoint evaluation = find(checkpointId);
        return ReportPage.render(evaluation, DIAGNOSIS.diagnose(Diagnosis.Run.of(evaluation)));
    }

    /**
     * The fine-tuned model as a zip of its Hugging Face directory: unzip it and load it with
     * {@code AutoModelForSequenceClassification.from_pretrained(dir)} and {@code AutoTokenizer.from_pretrained(dir)}.
     */
    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{checkpointId}/model")
    @Produces("application/zip")
    @Operation(summary = "The fine-tuned model", description = "A zip of its Hugging Face directory, for"
            + " from_pretrained")
    @APIResponse(responseCode = "200", description = "The model", content = @Content(mediaType = "application/zip"))
    @APIResponse(responseCode = "404", description = "No evaluation of this checkpoint, or its model is no longer"
            + " kept (evaluator.keep-models)")
    public Response model(@Parameter(description = CHECKPOINT) @PathParam("checkpointId") String checkpointId) {
        find(checkpointId);
        java.nio.file.Path dir = shelf.model(checkpointId).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND,
                "the model of checkpoint '" + checkpointId + "' is no longer kept (evaluator.keep-models)"));
        StreamingOutput zip = out -> {
            try (ZipOutputStream z = new ZipOutputStream(out)) {
                for (String name : ModelShelf.HF_FILES) {
                    java.nio.file.Path file = dir.resolve(name);
                    if (Files.isRegularFile(file)) {
                        z.putNextEntry(new ZipEntry(checkpointId + "/" + name));
                        Files.copy(file, z);
                        z.closeEntry();
                    }
                }
            }
        };
        return Response.ok(zip, "application/zip")
                .header("Content-Disposition", "attachment; filename=\"" + checkpointId + ".zip\"").build();
    }

    private EvaluatedCheckpoint find(String checkpointId) {
        return store.get(checkpointId).orElseThrow(() -> Problem.of(Response.Status.NOT_FOUND,
                "no evaluation of checkpoint '" + checkpointId + "'"));
    }
}
