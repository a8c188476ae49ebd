package io.finetune.contracts;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which definition of a dataset counts, for ingest and the evaluator alike. */
class DatasetDefinitionsTest {
    private final DatasetDefinitions definitions = new DatasetDefinitions();

    @Test
    void theFirstDefinitionWinsAndATombstoneChangesNothing() {
        assertThat(definitions.apply("mails/defined/1", Json.write(DatasetDefined.of("mails",
                List.of("Subject", "Body"), "Label", null, "Email_ID", "r1")))).isEqualTo("mails");
        assertThat(definitions.apply("mails/defined/2", Json.write(DatasetDefined.of("mails",
                List.of("text"), "label", null, "id", "r2")))).isEqualTo("mails");
        assertThat(definitions.apply("mails/defined/2", null)).isNull();

        assertThat(definitions.winner("mails").key()).isEqualTo("mails/defined/1");
        assertThat(definitions.textFields("mails")).containsExactly("Subject", "Body");
    }

    @Test
    void aDatasetNobodyDefinedHasItsTextInTheFieldText() {
        assertThat(definitions.winner("pushed")).isNull();
        assertThat(definitions.textFields("pushed")).isEqualTo(RecordText.DEFAULT_FIELDS).containsExactly("text");
    }

    @Test
    void aDefinitionWithoutADatasetIsRefused() {
        assertThatThrownBy(() -> definitions.apply("x/defined/1", "{\"v\":1,\"textFields\":[\"a\"]}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
