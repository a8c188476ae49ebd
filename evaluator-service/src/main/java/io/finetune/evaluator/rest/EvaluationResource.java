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
public class EvaluationResource {
    private static final Diagnosis DIAGNOSIS = new Diagnosis(Diagnosis.Thresholds.defaults());
    private final EvaluationStore store;
    private final ModelShelf shelf;

    public EvaluationResource(EvaluationStore store, ModelShelf shelf) {
        this.store = store;
        this.shelf = shelf;
    }

    /** All evaluations, newest first. */
    @RolesAllowed(Roles.READ)
    @GET
    public List<ObjectNode> all() {
        return store.all().stream().map(EvaluatedCheckpoint::toJson).toList();
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{checkpointId}")
    public ObjectNode one(@PathParam("checkpointId") String checkpointId) {
        return find(checkpointId).toJson();
    }

    /** What holds this run back, each finding with its evidence and a suggested change; empty for a healthy run. */
    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{checkpointId}/advice")
    public List<Finding> advice(@PathParam("checkpointId") String checkpointId) {
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
    public TransferGuards guards(@PathParam("checkpointId") String checkpointId) {
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
    public String report(@PathParam("checkpointId") String checkpointId) {
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
    public Response model(@PathParam("checkpointId") String checkpointId) {
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
