package io.finetune.distilbert.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Finds the ONNX export and its tokenizer in a jar whose entry names are not known in advance. */
final class JarEntries {
    /** The two entries to import from one jar. */
    record Pair(String onnx, String tokenizer) {}

    private JarEntries() {}

    /** The jar's only {@code .onnx} entry and its only {@code tokenizer.json}, or an error listing what was found. */
    static Pair find(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<String> files = files(zip);
            List<String> onnx = files.stream().filter(f -> f.endsWith(".onnx")).toList();
            List<String> tokenizers = files.stream().filter(f -> f.endsWith("tokenizer.json")).toList();
            if (onnx.size() != 1 || tokenizers.size() != 1) {
                throw new IllegalArgumentException(jar + " should hold exactly one .onnx file and one tokenizer.json;"
                        + " found " + onnx + " and " + tokenizers);
            }
            return new Pair(onnx.get(0), tokenizers.get(0));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + jar, e);
        }
    }

    static List<String> files(ZipFile zip) {
        return Collections.list(zip.entries()).stream().filter(e -> !e.isDirectory()).map(ZipEntry::getName)
                .filter(n -> !n.endsWith(".class") && !n.startsWith("META-INF/")).sorted().toList();
    }
}
