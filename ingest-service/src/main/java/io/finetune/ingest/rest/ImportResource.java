package io.finetune.ingest.rest;

import io.finetune.ingest.config.IngestConfig;
import io.finetune.ingest.domain.DatasetDefinition;
import io.finetune.ingest.domain.DatasetRegistry;
import io.finetune.ingest.domain.RecordValidator;
import io.finetune.ingest.formats.DelimitedRecords;
import io.finetune.ingest.formats.EmailMessages;
import io.finetune.ingest.formats.ImdbArchive;
import io.finetune.ingest.formats.JsonRecords;
import io.finetune.ingest.formats.ParquetRecords;
import io.finetune.ingest.formats.SafeArchive;
import io.finetune.ingest.messaging.RecordIntake;
import io.finetune.service.rest.BodyLimit;
import io.finetune.service.rest.Problem;
import io.smallrye.common.annotation.Blocking;
import io.finetune.service.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * Files of well-known datasets sent as the request body: Stanford's IMDB archive, Hugging Face Parquet, raw e-mail
 * (.eml, archives of them, mbox), and CSV/TSV/JSON Lines. Records go through the same validation, counts and dead
 * letters as uploads to /records.
 */
@Path("/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Datasets")
public class ImportResource {
    private static final Set<String> SPLITS = Set.of("train", "validation", "test");
    private final DatasetRegistry registry;
    private final RecordIntake intake;
    private final IngestConfig config;

    public ImportResource(DatasetRegistry registry, RecordIntake intake, IngestConfig config) {
        this.registry = registry;
        this.intake = intake;
        this.config = config;
    }

    /**
     * @param format imdb, parquet, eml, mbox, csv, tsv or jsonl
     * @param label  the label of every message (eml and mbox only), e.g. "Phishing"
     * @param split  the split of records that name none (parquet, csv, tsv, jsonl, eml, mbox), e.g. "train"
     */
    @RolesAllowed(Roles.WRITE)
    @POST
    @Path("/{name}/import")
    @Consumes({MediaType.APPLICATION_OCTET_STREAM, "application/gzip", "application/x-gzip", "application/x-tar",
            "application/zip", "application/vnd.apache.parquet", "message/rfc822", "application/mbox",
            DatasetResource.CSV, DatasetResource.TSV, "application/x-ndjson"})
    @BodyLimit("import")
    @Blocking
    @Operation(summary = "Import a file of a well-known format", description = "Stanford's IMDB archive, Hugging Face"
            + " Parquet, e-mail (.eml, archives of them, mbox), CSV, TSV or JSON Lines, as the request body. Records"
            + " go through the same validation, counts and dead letters as POST /datasets/{name}/records.")
    @APIResponse(responseCode = "200", description = "Read: how many records were accepted and each rejected one")
    @APIResponse(responseCode = "400", description = "'format' is missing or unknown, mail has no 'label', 'split'"
            + " is unknown, the file cannot be read or an archive is refused, or not one record in it is good")
    @APIResponse(responseCode = "404", description = "No dataset of this name")
    @APIResponse(responseCode = "409", description = "The dataset is sealed: no more records; or it was sealed while"
            + " this upload was being written: the detail counts the records accepted (in the dataset) and refused"
            + " (behind the END marker), and errors lists each refused one by line, reason dataset-sealed")
    public UploadReport importFile(@Parameter(description = "The dataset's name") @PathParam("name") String name,
                                   @Parameter(description = "imdb, parquet, eml, mbox, csv, tsv or jsonl")
                                   @QueryParam("format") String format,
                                   @Parameter(description = "The label of every message (eml and mbox only), e.g."
                                           + " Phishing") @QueryParam("label") String label,
                                   @Parameter(description = "train, validation or test: the split of records that"
                                           + " name none (not imdb)") @QueryParam("split") String split,
                                   @RequestBody(description = "The file") InputStream body) {
        DatasetResource.requireOpen(registry, name);
        ImportFormat kind = format == null ? null : ImportFormat.parse(format);
        if (kind == null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "query parameter 'format' must be one of "
                    + ImportFormat.names());
        }
        boolean mail = kind == ImportFormat.EML || kind == ImportFormat.MBOX;
        if (mail && (label == null || label.isBlank())) {
            throw Problem.of(Response.Status.BAD_REQUEST, "format " + format + " needs a 'label' query parameter: the"
                    + " label of every message, e.g. label=Phishing");
        }
        if (split != null && !SPLITS.contains(split)) {
            throw Problem.of(Response.Status.BAD_REQUEST, "'split' must be one of " + SPLITS);
        }
        DatasetDefinition dataset = registry.definition(name);
        // Well-known formats have fixed field names; the dataset's own mapping applies to tables and JSON Lines.
        DatasetDefinition readAs = switch (kind) {
            case IMDB -> dataset.withFields(List.of("text"), "label", "id");
            case EML, MBOX -> dataset.withFields(List.of("subject", "body"), "label", "id");
            default -> dataset;
        };
        UploadSession session = new UploadSession(readAs, new RecordValidator(config.maxRecordBytes(),
                registry::definition), intake, config.uploadBatchSize(), kind == ImportFormat.IMDB ? null : split);
        try {
            read(kind, label, body, session);
        } catch (SafeArchive.RefusedArchiveException e) {
            throw session.broken("refused archive: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            // A body limit (413) or Kafka failing to acknowledge is not the file's fault: those pass through.
            if (e instanceof WebApplicationException || e instanceof CompletionException) {
                throw (RuntimeException) e;
            }
            // Parsers of corrupt files (Parquet's above all) throw unchecked exceptions as often as IOException.
            throw session.broken("unreadable " + kind.name().toLowerCase(Locale.ROOT) + " file: " + e.getMessage());
        }
        return session.finish();
    }

    private void read(ImportFormat kind, String label, InputStream body, UploadSession session) throws IOException {
        IngestConfig.Limits limits = config.limits();
        SafeArchive.Limits archive = new SafeArchive.Limits(limits.archiveEntries(), limits.archiveUnpackedBytes());
        InputStream in = new BufferedInputStream(body, 1 << 16);
        switch (kind) {
            case IMDB -> ImdbArchive.read(in, archive, config.maxRecordBytes(), session);
            case EML -> new EmailMessages(label, limits.messageBytes()).readEml(in, archive, session);
            case MBOX -> new EmailMessages(label, limits.messageBytes()).readMbox(in, session);
            case CSV -> DelimitedRecords.csv(config.maxRecordBytes()).read(in, session);
            case TSV -> DelimitedRecords.tsv(config.maxRecordBytes()).read(in, session);
            case JSONL -> JsonRecords.readLines(in, config.maxRecordBytes(), session);
            case PARQUET -> {
                // Parquet keeps its schema at the end of the file: it needs the whole file, not a stream.
                java.nio.file.Path file = Files.createTempFile("ingest-", ".parquet");
                try {
                    Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    ParquetRecords.read(file, session);
                } finally {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
