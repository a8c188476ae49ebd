package io.finetune.service.rest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What was wrong with a JSON document, for a problem's detail: where the text stops being JSON, or which field holds
 * a value of the wrong kind and what kind it must be (in JSON's words, not Java's), or which field is not one of the
 * body's (a misspelt {@code textField} refused, not ignored, with the fields there are).
 */
public final class JsonBodyProblem {
    /** Jackson names the token it found in its message: "... from Array value (token `JsonToken.START_ARRAY`)". */
    private static final Pattern TOKEN = Pattern.compile("\\(token `JsonToken\\.([A-Z_]+)`\\)");
    /** ... or only in words: "no String-argument constructor/factory method to deserialize from String value". */
    private static final Pattern VALUE = Pattern.compile("from (String|Object|Array|Integer|Floating-point|Boolean)"
            + " value");

    private JsonBodyProblem() {
    }

    /** "'dataset' must be a string, not an array"; "the request body is not valid JSON: ... (line 1, column 12)". */
    public static String describe(JsonProcessingException e) {
        return describe(e, null);
    }

    /** The same for a part of the body read on its own: {@code within} names it ("'hyperparameters.epochs' ..."). */
    public static String describe(JsonProcessingException e, String within) {
        if (e instanceof JsonMappingException && e.getCause() instanceof StreamReadException broken) {
            // Text that stops being JSON inside a value being bound (a list cut short): the text is at fault,
            // not the field, whichever field Jackson was filling when it ran out.
            return "the request body is not valid JSON: " + broken.getOriginalMessage() + at(broken.getLocation());
        }
        String path = e instanceof JsonMappingException mapping ? path(mapping.getPath()) : "";
        String name = within == null ? path
                : path.isEmpty() ? within : within + (path.startsWith("[") ? "" : ".") + path;
        String field = name.isEmpty() ? "the request body" : "'" + name + "'";
        if (e instanceof UnrecognizedPropertyException unknown) {
            return field + " is not a field here; the fields are " + unknown.getKnownPropertyIds().stream()
                    .map(Objects::toString).sorted().map(known -> "'" + known + "'")
                    .collect(Collectors.joining(", "));
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return field + " must be " + kind(mismatch.getTargetType()) + found(mismatch);
        }
        if (e instanceof JsonMappingException) {
            return field + " cannot be read: " + e.getOriginalMessage();
        }
        return field + " is not valid JSON: " + e.getOriginalMessage() + at(e.getLocation());
    }

    /** ", not an array": what the body held where the value was expected, when Jackson says. */
    private static String found(MismatchedInputException e) {
        if (e instanceof InvalidFormatException invalid && invalid.getValue() != null) {
            return ", not " + (invalid.getValue() instanceof String text ? "\"" + text + "\"" : invalid.getValue());
        }
        Matcher token = TOKEN.matcher(e.getOriginalMessage());
        if (!token.find()) {
            Matcher value = VALUE.matcher(e.getOriginalMessage());
            return !value.find() ? "" : switch (value.group(1)) {
                case "String" -> ", not a string";
                case "Object" -> ", not an object";
                case "Array" -> ", not an array";
                case "Boolean" -> ", not a boolean";
                default -> ", not a number";
            };
        }
        return switch (JsonToken.valueOf(token.group(1))) {
            case START_ARRAY -> ", not an array";
            case START_OBJECT -> ", not an object";
            case VALUE_STRING -> ", not a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> ", not a number";
            case VALUE_TRUE -> ", not true";
            case VALUE_FALSE -> ", not false";
            default -> "";
        };
    }

    /** "hyperparameters.epochs", "texts[2]": the path as a user would write it. */
    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder name = new StringBuilder();
        for (JsonMappingException.Reference step : references) {
            if (step.getFieldName() != null) {
                name.append(name.isEmpty() ? "" : ".").append(step.getFieldName());
            } else if (step.getIndex() >= 0) {
                name.append('[').append(step.getIndex()).append(']');
            }
        }
        return name.toString();
    }

    private static String kind(Class<?> type) {
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != char.class)) {
            return "a number";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return type.isRecord() || Map.class.isAssignableFrom(type) ? "a JSON object"
                : "a valid " + type.getSimpleName();
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
