package io.finetune.contracts;

/**
 * One thing wrong with one field of a request, said so that a user can put it right.
 *
 * @param field  the field's name as the user wrote it, or null when the request as a whole is wrong
 * @param detail what is wrong with it and what would be right
 */
public record FieldProblem(String field, String detail) {
    /** "field: detail", for messages that list several problems in one line. */
    public String describe() {
        return field == null ? detail : field + ": " + detail;
    }
}
