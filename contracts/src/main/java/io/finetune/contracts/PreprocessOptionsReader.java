package io.finetune.contracts;

import com.fasterxml.jackson.databind.JsonNode;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads preprocess options as a user wrote them (the body of a seal, the {@code options} of an end marker on the raw
 * topic): each field by its name and of its type, then {@link PreprocessOptions#problems() its rules}. Every problem
 * is collected, so one answer names all of them: a misspelt option is refused by name instead of silently left to
 * its default, and a value of the wrong type is refused instead of being coerced (1.5 tokens are not 1 token).
 */
public final class PreprocessOptionsReader {
    /** @param options the options, or null when there are problems */
    public record Read(PreprocessOptions options, List<FieldProblem> problems) {
    }

    private static final RecordComponent[] COMPONENTS = PreprocessOptions.class.getRecordComponents();
    private static final List<String> NAMES = Arrays.stream(COMPONENTS).map(RecordComponent::getName).toList();

    /** @param node a JSON object of options; null (or JSON null) for the defaults */
    public static Read read(JsonNode node) {
        if (node == null || node.isNull()) {
            return new Read(PreprocessOptions.defaults(), List.of());
        }
        if (!node.isObject()) {
            return new Read(null, List.of(new FieldProblem(null, "preprocess options must be a JSON object such as"
                    + " {\"maxLength\": 128}, or {} for preprocess's defaults, not " + node)));
        }
        List<FieldProblem> problems = new ArrayList<>();
        Object[] values = new Object[COMPONENTS.length];
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            int index = NAMES.indexOf(field.getKey());
            if (index < 0) {
                problems.add(new FieldProblem(field.getKey(), "is not a preprocess option; the options are "
                        + String.join(", ", NAMES)));
            } else if (!field.getValue().isNull()) {
                Class<?> type = COMPONENTS[index].getType();
                values[index] = value(field.getValue(), type);
                if (values[index] == null) {
                    problems.add(new FieldProblem(field.getKey(), "must be " + kind(type) + ", not "
                            + field.getValue()));
                }
            }
        }
        PreprocessOptions options = construct(values);
        problems.addAll(options.problems());
        return new Read(problems.isEmpty() ? options : null, List.copyOf(problems));
    }

    /** The value as the component's type, or null when it is not of that type. */
    private static Object value(JsonNode value, Class<?> type) {
        if (type == String.class) {
            return value.isTextual() ? value.asText() : null;
        }
        // A whole number as JSON Schema's "integer" has it: 128 and 128.0, not 128.5.
        boolean whole = value.isNumber() && value.canConvertToExactIntegral();
        if (type == Integer.class) {
            return whole && value.canConvertToInt() ? value.intValue() : null;
        }
        if (type == Long.class) {
            return whole && value.canConvertToLong() ? value.longValue() : null;
        }
        if (type == Double.class) {
            return value.isNumber() ? value.doubleValue() : null;
        }
        throw new IllegalStateException("PreprocessOptions has a component of type " + type + " this reader lacks");
    }

    private static PreprocessOptions construct(Object[] values) {
        try {
            Class<?>[] types = Arrays.stream(COMPONENTS).map(RecordComponent::getType).toArray(Class<?>[]::new);
            return PreprocessOptions.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("PreprocessOptions' canonical constructor", e);
        }
    }

    private static String kind(Class<?> type) {
        return type == String.class ? "a string" : type == Double.class ? "a number" : "a whole number";
    }

    private PreprocessOptionsReader() {
    }
}
