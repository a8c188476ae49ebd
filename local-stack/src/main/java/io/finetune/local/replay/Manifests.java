package io.finetune.local.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The documents of a rendered deployment (the output of {@code kubectl kustomize}, or of {@code compose config}). */
public final class Manifests {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final List<JsonNode> documents;

    private Manifests(List<JsonNode> documents) {
        this.documents = documents;
    }

    public static Manifests parse(String yaml) {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not YAML: " + e.getMessage(), e);
        }
        return new Manifests(List.copyOf(documents));
    }

    /** The one document when there is just one (a compose configuration). */
    public JsonNode single() {
        if (documents.size() != 1) {
            throw new IllegalArgumentException("expected one YAML document, found " + documents.size());
        }
        return documents.get(0);
    }

    public List<JsonNode> ofKind(String... kinds) {
        List<String> wanted = List.of(kinds);
        return documents.stream().filter(d -> wanted.contains(d.path("kind").asText())).toList();
    }

    public Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(d -> name.equals(d.path("metadata").path("name").asText())).findFirst();
    }

    /** Text of a node, or null when it is missing. */
    static String text(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull() ? null : node.asText();
    }
}
