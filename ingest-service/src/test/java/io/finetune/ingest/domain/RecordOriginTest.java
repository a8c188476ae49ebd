package io.finetune.ingest.domain;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.Json;
import io.finetune.contracts.RecordOrigin;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A record's origin: checked, carried into the DatasetRecord, and a correction read in the pipeline's own shape. */
class RecordOriginTest {
    /** A mail dataset whose records are read from other fields than text and label. */
    private static final DatasetDefinition MAILS = new DatasetDefinition("mails", List.of("Subject", "Body"), "Label",
            List.of("phishing", "legit"), "Email_ID");
    private final RecordValidator validator = new RecordValidator(900_000, name -> MAILS);

    private Validation raw(String json) {
        return validator.validateRaw(json.getBytes(StandardCharsets.UTF_8), "mails");
    }

    @Test
    void aCorrectionIsReadAsTextLabelAndIdWhateverTheDatasetsFieldsAndKeepsItsOrigin() {
        Validation v = raw("{\"id\":\"correction:phishing:mail-4711\",\"text\":\"Lunch at noon?\",\"label\":\" legit \","
                + "\"origin\":{\"kind\":\"correction\",\"deployment\":\"phishing\",\"requestId\":\"mail-4711\","
                + "\"checkpoint\":\"job-7-epoch-3\",\"predicted\":\"phishing\"}}");

        assertThat(v).isInstanceOf(Validation.Accepted.class);
        DatasetRecord record = ((Validation.Accepted) v).record();
        assertThat(record.id()).isEqualTo("correction:phishing:mail-4711");
        assertThat(record.text()).isEqualTo("Lunch at noon?");
        assertThat(record.label()).isEqualTo("legit");
        assertThat(record.origin()).isEqualTo(RecordOrigin.correction("phishing", "mail-4711", "job-7-epoch-3",
                "phishing"));
        assertThat(Json.write(record)).contains("\"origin\":{\"kind\":\"correction\",\"deployment\":\"phishing\","
                + "\"requestId\":\"mail-4711\",\"checkpoint\":\"job-7-epoch-3\",\"predicted\":\"phishing\"}");
    }

    @Test
    void anotherKindIsReadThroughTheDefinitionAsBefore() {
        Validation v = raw("{\"Email_ID\":\"e-1\",\"Subject\":\"Verify\",\"Body\":\"click here\",\"Label\":\"phishing\","
                + "\"origin\":{\"kind\":\"review\"}}");

        DatasetRecord record = ((Validation.Accepted) v).record();
        assertThat(record.text()).isEqualTo("Verify\nclick here");
        assertThat(record.originKind()).isEqualTo("review");
        // and a correction in the dataset's own fields has no text where corrections keep it
        assertThat(raw("{\"Subject\":\"Verify\",\"Label\":\"phishing\",\"origin\":{\"kind\":\"correction\","
                + "\"deployment\":\"p\",\"requestId\":\"r\"}}"))
                .isInstanceOfSatisfying(Validation.Rejected.class, r -> assertThat(r.reason()).isEqualTo("missing-text"));
    }

    @Test
    void aRecordWithoutOriginIsWrittenAsBeforeByteForByte() {
        DatasetRecord record = ((Validation.Accepted) raw("{\"Subject\":\"Hi\",\"Label\":\"legit\",\"Email_ID\":\"e-2\"}"))
                .record();

        assertThat(record.origin()).isNull();
        assertThat(Json.write(record)).isEqualTo("{\"v\":1,\"dataset\":\"mails\",\"kind\":\"RECORD\",\"id\":\"e-2\","
                + "\"text\":\"Hi\",\"label\":\"legit\"}");
    }

    @Test
    void aMalformedOriginIsRefusedNamingWhatIsWrong() {
        assertRefused("\"origin\":[\"correction\"]", "must be a JSON object");
        assertRefused("\"origin\":{\"deployment\":\"phishing\"}", "'origin.kind' is required");
        assertRefused("\"origin\":{\"kind\":\"Correction\"}", "lower-case");
        assertRefused("\"origin\":{\"kind\":\"none\"}", "leave 'origin' out");
        assertRefused("\"origin\":{\"kind\":\"correction\",\"deployment\":\"phishing\"}", "'requestId'");
        assertRefused("\"origin\":{\"kind\":\"correction\",\"deployment\":\"p\",\"request_id\":\"r\"}",
                "'origin.request_id' is not a field");
        assertRefused("\"origin\":{\"kind\":\"review\",\"checkpoint\":12}", "'origin.checkpoint' must be a non-blank");
        assertRefused("\"origin\":{\"kind\":\"correction\",\"deployment\":\"p\",\"requestId\":\"r\",\"predicted\":"
                + "\"spam\"}", "'origin.predicted' 'spam' is not one of [phishing, legit]");
    }

    private void assertRefused(String origin, String detail) {
        Validation v = raw("{\"text\":\"t\",\"label\":\"legit\"," + origin + "}");
        assertThat(v).as(origin).isInstanceOfSatisfying(Validation.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo("invalid-origin");
            assertThat(r.field()).isEqualTo("origin");
            assertThat(r.dataset()).isEqualTo("mails");
            assertThat(r.detail()).contains(detail);
        });
    }
}
