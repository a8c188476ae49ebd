package io.finetune.ingest.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.contracts.SafeNames;
import io.finetune.ingest.config.IngestConfig;
import io.finetune.ingest.domain.DatasetDefinition;
import io.finetune.ingest.domain.DatasetRegistry;
import io.finetune.ingest.domain.DatasetStatus;
import io.finetune.ingest.domain.RecordValidator;
import io.finetune.ingest.domain.Validation;
import io.finetune.ingest.messaging.RecordIntake;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The dataset lifecycle over REST: create, append records, seal, read status. */
@Path("/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {
    private static final int MAX_ERRORS_LISTED = 100;
    private final DatasetRegistry registry;
    private final RecordIntake intake;
    private final IngestConfig config;

    public DatasetResource(DatasetRegistry registry, RecordIntake intake, IngestConfig config) {
        this.registry = registry;
        this.intake = intake;
        this.config = config;
    }

    public record CreateDataset(String name, List<String> textFields, String labelField, List<String> labels) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(CreateDataset request) {
        if (request == null || !SafeNames.isSafe(request.name())) {
            throw Problem.of(Response.Status.BAD_REQUEST, "'name' must be 1-128 letters, digits, '.', '_' or '-'");
        }
        List<String> textFields = request.textFields() == null || request.textFields().isEmpty()
                ? List.of("text") : request.textFields();
        String labelField = request.labelField() == null ? "label" : request.labelField();
        DatasetDefinition definition = new DatasetDefinition(request.name(), textFields, labelField, request.labels());
        if (!registry.create(definition)) {
            throw Problem.of(Response.Status.CONFLICT, "dataset '" + request.name() + "' exists already");
        }
        return Response.status(Response.Status.CREATED).entity(registry.status(request.name())).build();
    }

    @GET
    @Path("/{name}")
    public DatasetStatus status(@PathParam("name") String name) {
        DatasetStatus status = registry.status(name);
        if (status == null) {
            throw Problem.of(Response.Status.NOT_FOUND, "no dataset named '" + name + "'");
        }
        return status;
    }

    /** JSON array (application/json) or JSON Lines (application/x-ndjson); a partly bad upload keeps its good lines. */
    @POST
    @Path("/{name}/records")
    @Consumes({MediaType.APPLICATION_JSON, "application/x-ndjson", "application/jsonl", MediaType.TEXT_PLAIN})
    @Blocking
    public Response append(@PathParam("name") String name, @HeaderParam("Content-Type") String contentType,
                           InputStream body) {
        requireOpen(name);
        RecordValidator validator = new RecordValidator(config.maxRecordBytes(), registry::definition);
        List<Map<String, Object>> errors = new ArrayList<>();
        long[] counts = new long[2]; // accepted, rejected
        List<Uni<Void>> pending = new ArrayList<>();
        try {
            UploadReaderSink sink = (line, item) -> {
                Validation validation = item.error() != null
                        ? new Validation.Rejected(name, item.error(), null, item.error().equals("too-large")
                        ? "the line is longer than " + config.maxRecordBytes() + " characters" : "not valid JSON")
                        : item.node().isObject() ? validator.validateRecord((ObjectNode) item.node(), name)
                        : new Validation.Rejected(name, "not-an-object", null, "a record must be a JSON object");
                if (validation instanceof Validation.Rejected rejected) {
                    counts[1]++;
                    if (errors.size() < MAX_ERRORS_LISTED) {
                        Map<String, Object> error = new LinkedHashMap<>();
                        error.put("line", line);
                        error.putAll(RecordIntake.describe(rejected));
                        errors.add(error);
                    }
                } else {
                    counts[0]++;
                }
                pending.add(intake.handle(validation, "rest:" + name + " line " + line, item.raw()));
                if (pending.size() >= config.uploadBatchSize()) {
                    awaitAll(pending);
                }
            };
            if (contentType != null && contentType.startsWith(MediaType.APPLICATION_JSON)) {
                UploadReader.readJsonArray(body, sink::accept);
            } else {
                UploadReader.readJsonLines(body, config.maxRecordBytes(), sink::accept);
            }
        } catch (IOException e) {
            awaitAll(pending);
            throw Problem.of(Response.Status.BAD_REQUEST, "unreadable upload after " + counts[0] + " accepted and "
                    + counts[1] + " rejected records: " + e.getMessage(), errors);
        }
        awaitAll(pending);
        UploadReport report = new UploadReport(name, counts[0], counts[1], errors);
        if (counts[0] == 0 && counts[1] > 0) {
            throw Problem.of(Response.Status.BAD_REQUEST, "no record of the upload was accepted", errors);
        }
        return Response.ok(report).build();
    }

    @POST
    @Path("/{name}/seal")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public DatasetStatus seal(@PathParam("name") String name, PreprocessOptions options) {
        requireExisting(name);
        if (registry.isSealed(name)) {
            throw Problem.of(Response.Status.CONFLICT, "dataset '" + name + "' was sealed already");
        }
        intake.handle(new Validation.Seal(name, options == null ? PreprocessOptions.defaults() : options),
                "rest:" + name + " seal", null).await().indefinitely();
        return registry.status(name);
    }

    private void requireExisting(String name) {
        if (!registry.exists(name)) {
            throw Problem.of(Response.Status.NOT_FOUND, "no dataset named '" + name + "': create it with POST /datasets");
        }
    }

    private void requireOpen(String name) {
        requireExisting(name);
        if (registry.isSealed(name)) {
            throw Problem.of(Response.Status.CONFLICT, "dataset '" + name + "' is sealed: no more records");
        }
    }

    private static void awaitAll(List<Uni<Void>> pending) {
        if (!pending.isEmpty()) {
            Uni.join().all(pending).andFailFast().await().indefinitely();
            pending.clear();
        }
    }

    @FunctionalInterface
    private interface UploadReaderSink {
        void accept(long line, UploadReader.Item item);
    }
}
