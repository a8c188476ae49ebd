package io.finetune.contracts;

import com.fasterxml.jackson.databind.JsonMappingException;

import java.util.List;

/**
 * A job's settings named something that is not a setting, or one setting twice: every problem, in one message that
 * names the keys. A {@link JsonMappingException}, so Jackson hands it through unchanged to whoever reads the job (the
 * REST layer answers 422 with it; the jobs topic's consumer fails the job with it).
 */
public class InvalidSettingsException extends JsonMappingException {
    private final List<String> problems;

    public InvalidSettingsException(List<String> problems) {
        super(null, "invalid training settings: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    /** The message without Jackson's location suffix. */
    public String reason() {
        return getOriginalMessage();
    }
}
