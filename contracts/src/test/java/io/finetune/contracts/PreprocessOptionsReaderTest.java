package io.finetune.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one definition of the preprocess options' rules, as ingest and preprocess both apply it. */
class PreprocessOptionsReaderTest {
    private static PreprocessOptionsReader.Read read(String json) {
        return PreprocessOptionsReader.read(Json.read(json, JsonNode.class));
    }

    @Test
    void everyProblemIsNamedByItsFieldInOneAnswer() {
        PreprocessOptionsReader.Read read = read("{\"balance\":\"sideways\",\"testFraction\":2,\"maxLenght\":64,"
                + "\"maxLength\":1.5,\"seed\":\"x\",\"model\":\"scratch:lots\"}");
        assertThat(read.options()).isNull();
        assertThat(read.problems()).extracting(FieldProblem::field).containsExactlyInAnyOrder(
                "balance", "testFraction", "maxLenght", "maxLength", "seed", "model");
        assertThat(read.problems()).extracting(FieldProblem::describe).contains(
                "balance: 'sideways' is not one of none, undersample, oversample",
                "maxLenght: is not a preprocess option; the options are model, maxLength, balance,"
                        + " validationFraction, testFraction, seed, holdoutFraction",
                "maxLength: must be a whole number, not 1.5",
                "seed: must be a whole number, not \"x\"");
        assertThat(read.problems()).filteredOn(p -> p.field().equals("testFraction")).singleElement()
                .extracting(FieldProblem::detail).asString().startsWith("2.0 is not a share of the records");
        assertThat(read.problems()).filteredOn(p -> p.field().equals("model")).singleElement()
                .extracting(FieldProblem::detail).asString().contains("from 64 to 1000000");
    }

    @Test
    void fractionsThatLeaveNothingToTrainOnAreOneProblemNamingBoth() {
        assertThat(read("{\"validationFraction\":0.5,\"testFraction\":0.5}").problems())
                .extracting(FieldProblem::field).containsExactly("validationFraction+testFraction");
        assertThat(read("{\"validationFraction\":-0.1,\"testFraction\":0.2}").problems())
                .extracting(FieldProblem::field).containsExactly("validationFraction");
    }

    @Test
    void validOptionsAreReadAndNothingMeansTheDefaults() {
        PreprocessOptionsReader.Read read = read("{\"model\":\"scratch:80\",\"maxLength\":64,\"balance\":\"OverSample\","
                + "\"validationFraction\":0,\"testFraction\":0.25,\"seed\":7}");
        assertThat(read.problems()).isEmpty();
        assertThat(read.options()).isEqualTo(new PreprocessOptions("scratch:80", 64, "OverSample", 0.0, 0.25, 7L));
        assertThat(read("{}").options()).isEqualTo(PreprocessOptions.defaults());
        assertThat(read("{\"balance\":null}").options()).isEqualTo(PreprocessOptions.defaults());
        assertThat(PreprocessOptionsReader.read(null).options()).isEqualTo(PreprocessOptions.defaults());
        assertThat(read("[1]").problems()).singleElement().extracting(FieldProblem::field).isNull();
    }

    @Test
    void scratchSizesAreReadWithinTheirBounds() {
        assertThat(PreprocessOptions.scratchVocabSize("scratch:80")).hasValue(80);
        assertThat(PreprocessOptions.scratchVocabSize("scratch:63")).isEmpty();
        assertThat(PreprocessOptions.scratchVocabSize("scratch")).isEmpty();
        assertThat(PreprocessOptions.scratchVocabSize("distilbert-tiny")).isEmpty();
    }
}
