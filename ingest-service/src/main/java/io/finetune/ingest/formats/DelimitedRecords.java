package io.finetune.ingest.formats;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;

/**
 * CSV (RFC 4180) and TSV with a header row: each later row becomes an object keyed by the header's column names.
 * Quoted fields may hold separators, doubled quotes and line breaks. A quote that is never closed would swallow the
 * rest of the upload, so a record still open at the end of the upload, or longer than the record limit, is rejected
 * as "unbalanced-quote" at the line where it started, and reading resumes on the line after it: the good lines that
 * follow are kept. So is a record whose quoting breaks only on a later line (the quote that closed it belonged to
 * another line).
 */
public final class DelimitedRecords {
    private final char separator;
    private final int maxRecordChars;

    private DelimitedRecords(char separator, int maxRecordChars) {
        this.separator = separator;
        this.maxRecordChars = maxRecordChars;
    }

    public static DelimitedRecords csv(int maxRecordChars) {
        return new DelimitedRecords(',', maxRecordChars);
    }

    public static DelimitedRecords tsv(int maxRecordChars) {
        return new DelimitedRecords('\t', maxRecordChars);
    }

    private record Line(long number, String text) {
    }

    /** @throws IOException when the body cannot be read or its header row is missing or unusable */
    public void read(InputStream body, RecordSink sink) throws IOException {
        BufferedReader reader = new Utf8Lines(body);
        Deque<Line> pushedBack = new ArrayDeque<>();
        long[] lineCount = {0};
        LineSource lines = () -> {
            if (!pushedBack.isEmpty()) {
                return pushedBack.pollFirst();
            }
            String text = reader.readLine();
            return text == null ? null : new Line(++lineCount[0], text);
        };
        List<String> header = header(lines, pushedBack);
        for (Line first; (first = nextNonBlank(lines)) != null; ) {
            FieldParser parser = new FieldParser(separator);
            List<Line> taken = new ArrayList<>(List.of(first));
            StringBuilder raw = new StringBuilder(first.text());
            String error = parser.feed(first.text());
            while (error == null && parser.open() && raw.length() <= maxRecordChars) {
                Line next = lines.next();
                if (next == null) {
                    break;
                }
                taken.add(next);
                raw.append('\n').append(next.text());
                error = parser.feed("\n" + next.text());
            }
            String source = "line " + first.number();
            // A quote that breaks the rules only after the record ran over several lines was most likely never
            // closed where it opened: treat it so, and read the lines after the opening one again.
            if ((error == null && parser.open()) || (error != null && taken.size() > 1)) {
                // Give back every line after the opening one: they are read again as records of their own.
                for (int i = taken.size() - 1; i >= 1; i--) {
                    pushedBack.addFirst(taken.get(i));
                }
                sink.accept(SourceItem.unreadable(first.number(), source, first.text(), "unbalanced-quote",
                        "a quoted field opened on this line is never closed"));
            } else if (error != null) {
                sink.accept(SourceItem.unreadable(first.number(), source, raw.toString(), "stray-quote", error));
            } else if (parser.fields().size() != header.size()) {
                sink.accept(SourceItem.unreadable(first.number(), source, raw.toString(), "wrong-column-count",
                        "the row has " + parser.fields().size() + " fields, the header " + header.size()));
            } else {
                ObjectNode node = JsonNodeFactory.instance.objectNode();
                for (int i = 0; i < header.size(); i++) {
                    node.put(header.get(i), parser.fields().get(i));
                }
                sink.accept(SourceItem.of(first.number(), source, raw.toString(), node));
            }
        }
    }

    private List<String> header(LineSource lines, Deque<Line> pushedBack) throws IOException {
        Line first = nextNonBlank(lines);
        if (first == null) {
            throw new IOException("the upload is empty: expected a header row naming the columns");
        }
        String text = first.text().startsWith("\uFEFF") ? first.text().substring(1) : first.text();
        FieldParser parser = new FieldParser(separator);
        String error = parser.feed(text);
        if (error != null || parser.open()) {
            throw new IOException("the header row (line " + first.number() + ") is not valid: "
                    + (error != null ? error : "unbalanced quote"));
        }
        List<String> names = parser.fields().stream().map(String::trim).toList();
        if (names.stream().anyMatch(String::isEmpty) || new HashSet<>(names).size() != names.size()) {
            throw new IOException("the header row (line " + first.number() + ") must name every column once: "
                    + names);
        }
        return names;
    }

    private static Line nextNonBlank(LineSource lines) throws IOException {
        for (Line line; (line = lines.next()) != null; ) {
            if (!line.text().isBlank()) {
                return line;
            }
        }
        return null;
    }

    @FunctionalInterface
    private interface LineSource {
        Line next() throws IOException;
    }

    /** RFC 4180 fields, fed one physical line at a time so a quoted field may span lines. */
    static final class FieldParser {
        private final char separator;
        private final List<String> fields = new ArrayList<>();
        private final StringBuilder field = new StringBuilder();
        private boolean quoted;      // the current field started with a quote
        private boolean inQuotes;    // inside the quotes of the current field
        private boolean closed;      // the current field's closing quote was seen

        FieldParser(char separator) {
            this.separator = separator;
        }

        /** @return null, or why the text breaks the quoting rules */
        String feed(String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (inQuotes) {
                    if (c != '"') {
                        field.append(c);
                    } else if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        inQuotes = false;
                        closed = true;
                    }
                } else if (c == separator) {
                    endField();
                } else if (c == '"') {
                    if (quoted || field.length() > 0) {
                        return "a quote inside a field that is not quoted, or after a field's closing quote,"
                                + " at column " + (i + 1);
                    }
                    quoted = true;
                    inQuotes = true;
                } else if (closed) {
                    return "text after a field's closing quote at column " + (i + 1);
                } else if (c != '\r') {
                    field.append(c);
                }
            }
            if (!inQuotes) {
                endField();
            }
            return null;
        }

        boolean open() {
            return inQuotes;
        }

        List<String> fields() {
            return fields;
        }

        private void endField() {
            fields.add(field.toString());
            field.setLength(0);
            quoted = false;
            closed = false;
        }
    }
}
