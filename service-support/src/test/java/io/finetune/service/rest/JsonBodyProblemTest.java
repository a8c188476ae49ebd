package io.finetune.service.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The words a 400 uses for a body Jackson cannot read: JSON's names for what was wrong, never Java's. */
class JsonBodyProblemTest {
    record Job(String dataset, Settings settings, List<String> texts) {
    }

    record Settings(int epochs, boolean bf16) {
    }

    private static String problemOf(String json) {
        return JsonBodyProblem.describe(catchThrowableOfType(JsonProcessingException.class,
                () -> new ObjectMapper().readValue(json, Job.class)));
    }

    @Test
    void textThatIsNotJsonSaysWhereItStops() {
        assertThat(problemOf("{\"dataset\":")).startsWith("the request body is not valid JSON: Unexpected end-of-input")
                .endsWith("(line 1, column 12)");
    }

    @Test
    void aValueOfTheWrongKindNamesItsFieldWhatItMustBeAndWhatItWas() {
        assertThat(problemOf("{\"dataset\": [\"a\"]}")).isEqualTo("'dataset' must be a string, not an array");
        assertThat(problemOf("{\"settings\": {\"epochs\": \"many\"}}"))
                .isEqualTo("'settings.epochs' must be a number, not \"many\"");
        assertThat(problemOf("{\"texts\": [\"a\", {}]}")).isEqualTo("'texts[1]' must be a string, not an object");
        assertThat(problemOf("[1]")).isEqualTo("the request body must be a JSON object, not an array");
    }

    @Test
    void aFieldTheBodyDoesNotHaveIsNamedWithTheFieldsItHas() {
        ObjectMapper strict = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        JsonProcessingException top = catchThrowableOfType(JsonProcessingException.class,
                () -> strict.readValue("{\"dataset\": \"d\", \"text\": []}", Job.class));
        assertThat(JsonBodyProblem.describe(top))
                .isEqualTo("'text' is not a field here; the fields are 'dataset', 'settings', 'texts'");
        JsonProcessingException nested = catchThrowableOfType(JsonProcessingException.class,
                () -> strict.readValue("{\"settings\": {\"epoch\": 2}}", Job.class));
        assertThat(JsonBodyProblem.describe(nested))
                .isEqualTo("'settings.epoch' is not a field here; the fields are 'bf16', 'epochs'");
    }

    @Test
    void textCutShortInsideAListIsTheTextsFaultNotTheListsField() {
        assertThat(problemOf("{\"texts\": [\"a\"")).startsWith("the request body is not valid JSON: Unexpected end-of-input");
    }

    @Test
    void aStringWhereAListBelongsIsNamedAsAString() {
        // Jackson says this one in words only ("from String value"), without naming the token.
        assertThat(problemOf("{\"texts\": \"one text\"}")).isEqualTo("'texts' must be a JSON array, not a string");
    }

    @Test
    void aPartReadOnItsOwnIsNamedFromTheBodysTop() {
        JsonProcessingException e = catchThrowableOfType(JsonProcessingException.class,
                () -> new ObjectMapper().readValue("{\"epochs\": true}", Settings.class));
        assertThat(JsonBodyProblem.describe(e, "settings")).isEqualTo("'settings.epochs' must be a number, not true");
    }
}
