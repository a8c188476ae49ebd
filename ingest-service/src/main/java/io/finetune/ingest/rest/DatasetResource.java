package io.finetune.ingest.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.FieldProblem;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.contracts.PreprocessOptionsReader;
import io.finetune.contracts.SafeNames;
import io.finetune.ingest.config.IngestConfig;
import io.finetune.ingest.domain.DatasetDefinition;
import io.finetune.ingest.domain.DatasetRegistry;
import io.finetune.ingest.domain.DatasetStatus;
import io.finetune.ingest.domain.NextSeal;
import io.finetune.ingest.domain.RecordValidator;
import io.finetune.ingest.messaging.PreparedDatasets;
import io.finetune.ingest.messaging.RecordIntake;
import io.finetune.ingest.messaging.SealMarkers;
import io.smallrye.common.annotation.Blocking;
import io.finetune.ingest.formats.DelimitedRecords;
import io.finetune.ingest.formats.JsonRecords;
import io.finetune.service.rest.BodyLimit;
import io.finetune.service.rest.Problem;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The dataset lifecycle over REST: create, append records, seal (again, after a failed preparation), read status. */
@Path("/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Datasets", description = "Labeled text in: create a dataset, add records, seal it for preprocessing")
public class DatasetResource {
    static final String CSV = "text/csv";
    static final String TSV = "text/tab-separated-values";
    private final DatasetRegistry registry;
    private final RecordIntake intake;
    private final IngestConfig config;
    private final PreparedDatasets prepared;
    private final SealMarkers sealMarkers;

    public DatasetResource(DatasetRegistry registry, RecordIntake intake, IngestConfig config,
                           PreparedDatasets prepared, SealMarkers sealMarkers) {
        this.registry = registry;
        this.sealMarkers = sealMarkers;
        this.intake = intake;
        this.config = config;
        this.prepared = prepared;
    }

    /**
     * @param idField    the field holding each record's id (default "id"); records without one get a content hash
     * @param continuous true: records keep coming after a seal, and each seal ends a version of the dataset (every
     *                   record so far); absent or false: a seal closes the dataset to records
     * @param sealEvery  of a continuous dataset: seal the next version by itself once this many records were
     *                   accepted since the last seal (and the last version is prepared or failed)
     */
    public record CreateDataset(String name, List<String> textFields, String labelField, List<String> labels,
                                String idField, Boolean continuous, Integer sealEvery) {
    }

    @RolesAllowed(Roles.WRITE)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a dataset", description = "Names the dataset and how its records are read: the text"
            + " fields (default text), the label field (default label), the allowed labels (any, if none) and the id"
            + " field (default id; records without one get a content hash); continuous: true keeps it open to records"
            + " after each seal, which then ends a version of it")
    @APIResponse(responseCode = "201", description = "Created: the dataset, open for records",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = DatasetStatus.class)))
    @APIResponse(responseCode = "400", description = "'name' is not 1-128 letters, digits, '.', '_' or '-', a text"
            + " field name is blank, or sealEvery is not a whole number of at least 1 on a continuous dataset")
    @APIResponse(responseCode = "409", description = "A dataset of this name exists already")
    public Response create(@RequestBody(description = "The dataset's name and field mapping") CreateDataset request) {
        if (request == null || !SafeNames.isSafe(request.name())) {
            throw Problem.of(Response.Status.BAD_REQUEST, "'name' must be 1-128 letters, digits, '.', '_' or '-'");
        }
        List<String> textFields = request.textFields() == null || request.textFields().isEmpty()
                ? List.of("text") : request.textFields();
        if (textFields.stream().anyMatch(f -> f == null || f.isBlank())) {
            throw Problem.of(Response.Status.BAD_REQUEST, "'textFields' must name fields: " + textFields);
        }
        String labelField = request.labelField() == null ? "label" : request.labelField();
        String idField = request.idField() == null ? "id" : request.idField();
        boolean continuous = Boolean.TRUE.equals(request.continuous());
        if (request.sealEvery() != null && (!continuous || request.sealEvery() < 1)) {
            throw Problem.of(Response.Status.BAD_REQUEST, "'sealEvery' seals a continuous dataset's next version every"
                    + " so many records: give a whole number of at least 1, with \"continuous\": true (it was "
                    + request.sealEvery() + (continuous ? "" : ", on a dataset that is not continuous") + ")");
        }
        DatasetDefinition definition = new DatasetDefinition(request.name(), textFields, labelField, request.labels(),
                idField, continuous, request.sealEvery());
        if (!registry.create(definition)) {
            throw Problem.of(Response.Status.CONFLICT, "dataset '" + request.name() + "' exists already");
        }
        return Response.status(Response.Status.CREATED).entity(registry.status(request.name())).build();
    }

    @RolesAllowed(Roles.READ)
    @GET
    @Path("/{name}")
    @Blocking
    @Operation(summary = "Where a dataset stands", description = "Its state (OPEN, SEALED, READY, FAILED), record"
            + " counts and, once sealed and prepared, preprocess-service's cleaning report and shards, or why the"
            + " preparation failed")
    @APIResponse(responseCode = "200", description = "The dataset's status")
    @APIResponse(responseCode = "404", description = "No dataset of this name")
    public DatasetStatus status(@Parameter(description = "The dataset's name") @PathParam("name") String name) {
        // Once sealed, preprocess prepares it: show the cleaning report and shards here too, or why it failed.
        DatasetStatus status = registry.status(name, () -> prepared.outcome(name));
        if (status == null) {
            throw Problem.of(Response.Status.NOT_FOUND, "no dataset named '" + name + "'");
        }
        return status;
    }

    /**
     * A JSON array (application/json), JSON Lines (application/x-ndjson), or CSV/TSV with a header row (text/csv,
     * text/tab-separated-values), read through the dataset's textFields, labelField and idField. A partly bad upload
     * keeps its good records; the report lists the bad ones by line, reason and field.
     */
    @RolesAllowed(Roles.WRITE)
    @POST
    @Path("/{name}/records")
    @Consumes({MediaType.APPLICATION_JSON, "application/x-ndjson", "application/jsonl", MediaType.TEXT_PLAIN,
            CSV, TSV})
    @BodyLimit("upload")
    @Blocking
    @Operation(summary = "Add records", description = "A JSON array, JSON Lines, or CSV/TSV with a header row, read"
            + " through the dataset's field mapping. A partly bad upload keeps its good records; the report lists"
            + " each bad one by line, reason and field, and sends it to the dead-letter topic.")
    @APIResponse(responseCode = "200", description = "Read: how many records were accepted and each rejected one")
    @APIResponse(responseCode = "400", description = "The upload cannot be read, or not one record in it is good:"
            + " the problem's errors list each bad record")
    @APIResponse(responseCode = "404", description = "No dataset of this name")
    @APIResponse(responseCode = "409", description = "The dataset is sealed: no more records; or it was sealed while"
            + " this upload was being written: the detail counts the records accepted (in the dataset) and refused"
            + " (behind the END marker), and errors lists each refused one by line, reason dataset-sealed")
    public UploadReport append(@Parameter(description = "The dataset's name") @PathParam("name") String name,
                               @Parameter(description = "How the body is written: application/json (an array),"
                                       + " application/x-ndjson, text/csv or text/tab-separated-values")
                               @HeaderParam("Content-Type") String contentType,
                               @RequestBody(description = "The records") InputStream body) {
        requireOpen(name);
        UploadSession session = new UploadSession(registry.definition(name), validator(), intake,
                config.uploadBatchSize(), null);
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        try {
            if (type.startsWith(MediaType.APPLICATION_JSON)) {
                JsonRecords.readArray(body, session);
            } else if (type.startsWith(CSV)) {
                DelimitedRecords.csv(config.maxRecordBytes()).read(body, session);
            } else if (type.startsWith(TSV)) {
                DelimitedRecords.tsv(config.maxRecordBytes()).read(body, session);
            } else {
                JsonRecords.readLines(body, config.maxRecordBytes(), session);
            }
        } catch (IOException e) {
            throw session.broken("unreadable upload: " + e.getMessage());
        }
        return session.finish();
    }

    /**
     * Seals an open dataset, or seals again one whose preparation failed (over the records it has, with corrected
     * options). The options are checked first, by the rules preprocess prepares with: any problem is a 422 naming
     * every one, and nothing is sealed.
     */
    @RolesAllowed(Roles.WRITE)
    @POST
    @Path("/{name}/seal")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Seal a dataset", description = "No more records; preprocess-service then cleans, splits and"
            + " tokenizes it with these options (an empty object takes the defaults). The seal travels behind the"
            + " records already sent to the raw topic, so none is left out. A dataset whose preparation failed can"
            + " be sealed again with corrected options, without uploading its records again.")
    @APIResponse(responseCode = "200", description = "Sealed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = DatasetStatus.class)))
    @APIResponse(responseCode = "202", description = "The seal is on its way behind records still being taken in:"
            + " GET /datasets/{name} shows SEALED once they are in",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = DatasetStatus.class)))
    @APIResponse(responseCode = "404", description = "No dataset of this name")
    @APIResponse(responseCode = "409", description = "The dataset is prepared or being prepared (of a continuous"
            + " dataset: its newest version is being prepared), or the seal would change the options of a continuous"
            + " dataset's prepared versions")
    @APIResponse(responseCode = "422", description = "The options break their rules: one error per field")
    public Response seal(@Parameter(description = "The dataset's name") @PathParam("name") String name,
                         @RequestBody(description = "Preprocessing options: the model to tokenize for, max length,"
                                 + " split fractions, cleaning and balancing",
                                 content = @Content(schema = @Schema(implementation = PreprocessOptions.class)))
                         JsonNode body) {
        requireExisting(name);
        NextSeal next = registry.nextSeal(name, () -> prepared.outcome(name), () -> prepared.newestManifest(name));
        if (next instanceof NextSeal.Refused refused) {
            throw Problem.of(Response.Status.CONFLICT, refused.detail());
        }
        PreprocessOptionsReader.Read options = PreprocessOptionsReader.read(body);
        if (!options.problems().isEmpty()) {
            throw Problem.unprocessable("dataset '" + name + "' was not sealed: its preprocess options break "
                    + options.problems().size() + " rule(s): " + options.problems().stream()
                    .map(FieldProblem::describe).collect(Collectors.joining("; ")), errors(options.problems()));
        }
        String conflict = ((NextSeal.Allowed) next).conflict(name, options.options());
        if (conflict != null) {
            throw Problem.of(Response.Status.CONFLICT, conflict);
        }
        int number = ((NextSeal.Allowed) next).number();
        // Through the raw topic, behind the records pushed there before this call (SealMarkers explains why).
        sealMarkers.send(name, options.options()).await().indefinitely();
        long deadline = System.nanoTime() + config.sealWait().toNanos();
        while (!registry.isSealEnded(name, number) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (registry.isSealEnded(name, number)) {
            return Response.ok(registry.status(name)).build();
        }
        // The marker is safe on the raw topic and will seal the dataset once the records ahead of it are in.
        return Response.accepted(registry.status(name)).build();
    }

    private static List<Map<String, Object>> errors(List<FieldProblem> problems) {
        return problems.stream().map(problem -> {
            Map<String, Object> error = new LinkedHashMap<>();
            if (problem.field() != null) {
                error.put("field", problem.field());
            }
            error.put("detail", problem.detail());
            return error;
        }).toList();
    }

    private void requireExisting(String name) {
        requireExisting(registry, name);
    }

    private void requireOpen(String name) {
        requireOpen(registry, name);
    }

    static void requireExisting(DatasetRegistry registry, String name) {
        if (!registry.exists(name)) {
            throw Problem.of(Response.Status.NOT_FOUND, "no dataset named '" + name + "': create it with POST /datasets");
        }
    }

    static void requireOpen(DatasetRegistry registry, String name) {
        requireExisting(registry, name);
        if (registry.isClosedToRecords(name)) {
            throw Problem.of(Response.Status.CONFLICT, "dataset '" + name + "' is sealed: no more records");
        }
    }

    private RecordValidator validator() {
        return new RecordValidator(config.maxRecordBytes(), registry::definition);
    }
}
