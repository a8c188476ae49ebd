package io.finetune.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The text rule ingest reads labeled records by and the evaluator the raw records requests carry. */
class RecordTextTest {
    private static final List<String> MAIL = List.of("Subject", "Body");

    @Test
    void theNonBlankStringFieldsAreJoinedByANewlineInTheDefinitionsOrder() {
        assertThat(RecordText.of(json("{\"Body\": \"click here\", \"Subject\": \"Your account\", \"Email_ID\": 7}"),
                MAIL)).isEqualTo(new RecordText.Text("Your account\nclick here"));
        assertThat(RecordText.of(json("{\"Subject\": \"  \", \"Body\": \"click here\"}"), MAIL))
                .isEqualTo(new RecordText.Text("click here"));
        assertThat(RecordText.of(json("{\"Subject\": null, \"Body\": \"click here\"}"), MAIL))
                .isEqualTo(new RecordText.Text("click here"));
    }

    @Test
    void aRecordWithoutTextNamesTheFieldsExpected() {
        assertThat(RecordText.of(json("{\"Subject\": \"\", \"text\": \"elsewhere\"}"), MAIL))
                .isEqualTo(new RecordText.Problem("missing-text", "Subject",
                        "the record has no text: 'Subject', 'Body' missing or blank"));
    }

    @Test
    void aTextFieldThatIsNotAStringIsNamed() {
        assertThat(RecordText.of(json("{\"Subject\": \"hi\", \"Body\": [\"a\"]}"), MAIL))
                .isEqualTo(new RecordText.Problem("wrong-type", "Body", "'Body' must be a string"));
    }

    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
