package io.finetune.preprocess.domain;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.TextTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole preparation on a real spool with the bundled model's real tokenizer. */
class DatasetPreparerTest {
    private static final PreparationOptions DEFAULTS = new PreparationOptions("distilbert-tiny", 128, "none", 0.1,
            0.1, 42, true, false, false, true, 900_000, 2000);
    @TempDir
    static Path dir;
    private static Tokenizers tokenizers;
    private static int spools;

    @BeforeAll
    static void load() {
        tokenizers = new Tokenizers(new ModelResolver(dir.resolve("models")));
    }

    @AfterAll
    static void close() {
        tokenizers.close();
    }

    /** 30 clean records per label plus every kind of dirt the preparation must remove. */
    static List<SpooledRecord> dirtyDataset() {
        List<SpooledRecord> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add(record("p" + i, "A good film number " + i + ".<br /><br />I liked it &amp; more", "pos", null));
            records.add(record("n" + i, "A bad film number " + i + " and I did not like it", "neg", null));
        }
        records.add(record("x1", "A bad film number 3 and I did not like it", "neg", null));      // exact duplicate
        records.add(record("x2", "a BAD film number 4 and i did not like it!!", "neg", null));   // normalised duplicate
        records.add(record("x3", "A bad film number 5 and I did not like it", "pos", null));     // conflicting label
        records.add(record("x4", "<br /> &nbsp; ", "pos", null));                                 // empty after cleaning
        records.add(record("x5", "no label here", null, null));                                   // incomplete
        return records;
    }

    static SpooledRecord record(String id, String text, String label, String split) {
        return new SpooledRecord(0, -1, id, text, label, split);
    }

    private static DatasetSpool spool(List<SpooledRecord> records) {
        DatasetSpool spool = DatasetSpool.open(dir.resolve("spool-" + (spools++) + ".jsonl"));
        records.forEach(spool::append);
        return spool;
    }

    private static ShardManifest prepare(List<SpooledRecord> records, PreparationOptions options, List<Shard> out) {
        return prepare(records, options, out, new LinkedHashMap<>());
    }

    /** @param tokenizers receives build → tokenizer archive, for datasets with a vocabulary of their own */
    private static ShardManifest prepare(List<SpooledRecord> records, PreparationOptions options, List<Shard> out,
                                         Map<String, byte[]> tokenizers) {
        try (DatasetSpool spool = spool(records)) {
            return new DatasetPreparer(DatasetPreparerTest.tokenizers, new ScratchTokenizers(dir.resolve("vocab"), 200, 2))
                    .prepare("reviews", spool, (long) records.size(), options, out::add, tokenizers::put);
        }
    }

    @Test
    void cleansDeduplicatesSplitsAndTokenizes() throws Exception {
        List<Shard> shards = new ArrayList<>();
        ShardManifest manifest = prepare(dirtyDataset(), DEFAULTS, shards);

        assertThat(manifest.labels()).containsExactly("neg", "pos");
        assertThat(manifest.maxLength()).isEqualTo(64); // 128 asked, the model has 64 positions
        assertThat(manifest.model()).isEqualTo("distilbert-tiny");
        assertThat(manifest.tokenizer()).startsWith("distilbert-tiny@sha256:");
        assertThat(manifest.build()).hasSize(16);
        assertThat(manifest.configHash()).hasSize(64);
        assertThat(manifest.counts().get("train")).containsEntry("neg", 24).containsEntry("pos", 24);
        assertThat(manifest.counts().get("validation")).containsEntry("neg", 3).containsEntry("pos", 3);
        assertThat(manifest.counts().get("test")).containsEntry("neg", 3).containsEntry("pos", 3);
        assertThat(manifest.shards()).containsEntry("train", 1).containsEntry("validation", 1).containsEntry("test", 1);

        CleaningReport report = manifest.report();
        Map<String, CleaningReport.Step> steps = report.steps().stream()
                .collect(Collectors.toMap(CleaningReport.Step::name, Function.identity()));
        assertThat(steps.get("received").after()).isEqualTo(65);
        assertThat(steps.get("standardise").detail()).isEqualTo(
                "31 texts changed (markup removed in 31, character references decoded in 31)");
        assertThat(steps.get("drop-incomplete").after()).isEqualTo(63);
        assertThat(steps.get("drop-incomplete").detail()).contains("1 empty", "1 without label");
        assertThat(steps.get("dedupe-exact").after()).isEqualTo(61);
        assertThat(steps.get("dedupe-exact").detail()).contains("2 removed", "1 with a conflicting label");
        assertThat(steps.get("dedupe-normalised").after()).isEqualTo(60);
        assertThat(report.duplicatesRemoved()).isEqualTo(3);
        assertThat(report.emptyDropped()).isEqualTo(2);
        assertThat(report.labelsPerSplit()).isEqualTo(manifest.counts());
        assertThat(report.tokenLengthHistogram().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(60);
        assertThat(report.tokenLengthHistogram().keySet()).contains(64);

        // Every example is the tokenizer's encoding of the cleaned text, labelled by its index in the label list.
        Path model = new ModelResolver(dir.resolve("models")).resolve("distilbert-tiny");
        try (TextTokenizer tokenizer = TextTokenizer.load(model, 64)) {
            Map<String, TokenizedExample> byId = shards.stream().flatMap(s -> s.examples().stream())
                    .collect(Collectors.toMap(TokenizedExample::id, Function.identity()));
            assertThat(byId).hasSize(60).doesNotContainKeys("x1", "x2", "x3", "x4", "x5");
            assertThat(byId.get("p7").inputIds())
                    .isEqualTo(tokenizer.encode("A good film number 7. I liked it & more").intIds());
            assertThat(byId.get("p7").label()).isEqualTo(1);
            assertThat(byId.get("n7").label()).isZero();
        }
        assertThat(shards).allMatch(s -> s.build().equals(manifest.build()) && s.dataset().equals("reviews"));
    }

    /**
     * Mail joins subject and body with a line break: that alone is not a change (the tokenizer sees the same tokens),
     * and a report that counted it said nearly every text had changed.
     */
    @Test
    void theReportCountsOnlyTextsWhoseWordsChangedAndTheRespacedApart() {
        List<SpooledRecord> records = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            records.add(record("m" + i, "Subject " + i + "\nBody of mail " + i, i % 2 == 0 ? "spam" : "ham", null));
        }
        records.add(record("h", "Hello  <b>world</b>", "spam", null));
        records.add(record("e", "Fish &amp; chips", "ham", null));
        records.add(record("c", "bell\u0007 rings", "spam", null));
        records.add(record("p", "Plain text.", "ham", null));
        ShardManifest manifest = prepare(records, DEFAULTS, new ArrayList<>());
        CleaningReport.Step standardise = manifest.report().steps().stream()
                .filter(step -> step.name().equals("standardise")).findFirst().orElseThrow();
        assertThat(standardise.detail()).isEqualTo("3 texts changed (markup removed in 1, character references"
                + " decoded in 1, control characters removed in 1); 4 only re-spaced (line breaks and runs of spaces"
                + " made one space, which the tokenizer does not tell apart: not counted as changed)");
    }

    @Test
    void sameRecordsInAnotherOrderGiveByteIdenticalShards() {
        List<Shard> first = new ArrayList<>();
        List<Shard> second = new ArrayList<>();
        List<SpooledRecord> shuffled = new ArrayList<>(dirtyDataset());
        Collections.shuffle(shuffled, new Random(5));
        ShardManifest a = prepare(dirtyDataset(), DEFAULTS, first);
        ShardManifest b = prepare(shuffled, DEFAULTS, second);
        assertThat(b.build()).isEqualTo(a.build());
        assertThat(b.configHash()).isEqualTo(a.configHash());
        assertThat(second).hasSameSizeAs(first);
        for (int i = 0; i < first.size(); i++) {
            assertThat(ShardCodec.encode(second.get(i))).isEqualTo(ShardCodec.encode(first.get(i)));
        }
        ShardManifest reseeded = prepare(dirtyDataset(),
                DEFAULTS.overriddenBy(new PreprocessOptions(null, null, null, null, null, 7L)), new ArrayList<>());
        assertThat(reseeded.build()).isNotEqualTo(a.build());
        assertThat(reseeded.configHash()).isNotEqualTo(a.configHash());
    }

    @Test
    void cutsShardsAtTheExampleLimitAndTruncatesLongTexts() {
        PreparationOptions options = new PreparationOptions("distilbert-tiny", 16, "none", 0.1, 0.1, 42, true, false,
                false, true, 900_000, 7);
        List<Shard> shards = new ArrayList<>();
        ShardManifest manifest = prepare(dirtyDataset(), options, shards);
        assertThat(manifest.shards().get("train")).isEqualTo(7); // 48 examples, 7 per shard
        assertThat(shards).allMatch(s -> s.examples().size() <= 7);
        assertThat(shards.stream().filter(s -> s.split().equals("train")).map(Shard::index))
                .containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(shards).flatMap(Shard::examples).allMatch(e -> e.inputIds().length <= 16);
        assertThat(manifest.report().truncated()).isPositive();
        assertThat(manifest.maxLength()).isEqualTo(16);
    }

    @Test
    void respectsGivenSplitsAndBalancesTrainOnly() {
        List<SpooledRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(record("tr-a" + i, "alpha text " + i, "a", "train"));
        }
        for (int i = 0; i < 10; i++) {
            records.add(record("tr-b" + i, "beta text " + i, "b", "train"));
            records.add(record("te-a" + i, "alpha test " + i, "a", "test"));
            records.add(record("te-b" + i, "beta test " + i, "b", "test"));
        }
        List<Shard> shards = new ArrayList<>();
        ShardManifest manifest = prepare(records, DEFAULTS.overriddenBy(
                new PreprocessOptions(null, null, "oversample", 0.25, null, null)), shards);
        assertThat(manifest.counts().get("test")).containsEntry("a", 10).containsEntry("b", 10);
        assertThat(manifest.counts().get("validation")).containsEntry("a", 10).containsEntry("b", 3);
        assertThat(manifest.counts().get("train")).containsEntry("a", 30).containsEntry("b", 30);
        assertThat(shards.stream().filter(s -> !s.split().equals("train")).flatMap(s -> s.examples().stream()))
                .noneMatch(e -> e.id().contains("#copy"));
    }

    @Test
    void refusesADatasetWithOneClass() {
        List<SpooledRecord> records = List.of(record("a", "one text", "pos", null), record("b", "another", "pos", null),
                record("c", "<br/>", "neg", null));
        assertThatThrownBy(() -> prepare(records, DEFAULTS, new ArrayList<>()))
                .isInstanceOf(PreparationFailure.class)
                .hasMessageContaining("1 class")
                .extracting(e -> ((PreparationFailure) e).reason()).isEqualTo("too-few-classes");
    }

    @Test
    void refusesInvalidOptionsAndUnknownModels() {
        assertThatThrownBy(() -> DEFAULTS.overriddenBy(new PreprocessOptions(null, 1, "smote", null, 2.0, null)))
                .hasMessageContaining("maxLength: 1 leaves no room")
                .hasMessageContaining("balance: 'smote' is not one of none, undersample, oversample")
                .hasMessageContaining("testFraction: 2.0 is not a share")
                .extracting(e -> ((PreparationFailure) e).reason()).isEqualTo("invalid-options");
        // Valid on its own, as ingest checked it; not beside the default validationFraction of 0.1.
        assertThatThrownBy(() -> DEFAULTS.overriddenBy(new PreprocessOptions(null, null, null, null, 0.95, null)))
                .hasMessageContaining("validationFraction 0.1 and testFraction 0.95")
                .extracting(e -> ((PreparationFailure) e).reason()).isEqualTo("invalid-options");
        PreparationOptions missing = DEFAULTS.overriddenBy(new PreprocessOptions(
                dir.resolve("no-such-model").toString(), null, null, null, null, null));
        assertThatThrownBy(() -> prepare(dirtyDataset(), missing, new ArrayList<>()))
                .extracting(e -> ((PreparationFailure) e).reason()).isEqualTo("unknown-model");
        assertThat(Files.exists(dir)).isTrue();
    }

    @Test
    void scratchBuildsTheVocabularyFromTheTrainSplitOnlyAndTokenizesEverySplitWithIt() throws Exception {
        List<SpooledRecord> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add(record("tr-p" + i, "A splendid film, truly splendid " + i, "pos", "train"));
            records.add(record("tr-n" + i, "A dreadful film, truly dreadful " + i, "neg", "train"));
        }
        for (int i = 0; i < 6; i++) { // "sunlit" (spelt with train characters) occurs only outside train: it must not shape the vocabulary
            records.add(record("te-p" + i, "sunlit sunlit splendid " + i, "pos", "test"));
            records.add(record("te-n" + i, "sunlit dreadful " + i, "neg", "test"));
        }
        PreparationOptions options = DEFAULTS.overriddenBy(new PreprocessOptions("scratch", 1024, null, 0.1, null, null));
        List<Shard> shards = new ArrayList<>();
        Map<String, byte[]> archives = new LinkedHashMap<>();
        ShardManifest manifest = prepare(records, options, shards, archives);

        assertThat(manifest.model()).isEqualTo("scratch");
        assertThat(manifest.maxLength()).isEqualTo(512); // capped at the scratch model's positions
        assertThat(manifest.tokenizer()).startsWith("scratch@sha256:");
        assertThat(archives).containsOnlyKeys(manifest.build());
        byte[] zip = archives.get(manifest.build());
        assertThat(manifest.tokenizerArchive()).isEqualTo(ShardManifest.TokenizerArchive.of(zip));
        assertThat(manifest.report().steps()).anyMatch(step -> step.name().equals("vocabulary"));

        Path files = new DatasetShards(manifest, Map.of(), zip).writeTokenizer(dir.resolve("scratch-files")).orElseThrow();
        List<String> vocab = Files.readAllLines(files.resolve("vocab.txt"));
        assertThat(vocab).startsWith("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
                .contains("splendid", "dreadful").doesNotContain("sunlit").hasSizeLessThanOrEqualTo(200);
        assertThat(manifest.tokenizer()).endsWith(io.finetune.contracts.Hashing.sha256Hex(
                Files.readAllBytes(files.resolve("tokenizer.json"))));
        Map<String, TokenizedExample> byId = shards.stream().flatMap(s -> s.examples().stream())
                .collect(Collectors.toMap(TokenizedExample::id, Function.identity()));
        try (TextTokenizer tokenizer = TextTokenizer.load(files, 512)) {
            assertThat(byId.get("tr-p3").inputIds()).isEqualTo(tokenizer.encode("A splendid film, truly splendid 3").intIds());
            int[] test = byId.get("te-p2").inputIds();
            assertThat(test).isEqualTo(tokenizer.encode("sunlit sunlit splendid 2").intIds());
            assertThat(test).doesNotContain(1); // pieces of seen characters, never [UNK]
            assertThat(test.length).isGreaterThan(6);
        }

        Map<String, byte[]> again = new LinkedHashMap<>();
        ShardManifest repeated = prepare(records, options, new ArrayList<>(), again);
        assertThat(repeated.build()).isEqualTo(manifest.build());
        assertThat(again.get(repeated.build())).isEqualTo(zip);
        try (var left = Files.list(dir.resolve("vocab"))) {
            assertThat(left).isEmpty(); // the working copy is removed once the shards are cut
        }
    }

    @Test
    void aMalformedScratchSizeIsAnInvalidOption() {
        assertThatThrownBy(() -> DEFAULTS.overriddenBy(
                new PreprocessOptions("scratch:lots", null, null, null, null, null)))
                .hasMessageContaining("scratch:lots")
                .extracting(e -> ((PreparationFailure) e).reason()).isEqualTo("invalid-options");
        ShardManifest sized = prepare(dirtyDataset(), DEFAULTS.overriddenBy(
                new PreprocessOptions("scratch:80", null, null, null, null, null)), new ArrayList<>());
        assertThat(sized.model()).isEqualTo("scratch:80");
        assertThat(sized.tokenizerArchive()).isNotNull();
    }

    /** Datasets sealed without the option keep their configHash and build: neither the JSON nor the splits change. */
    @Test
    void noHoldoutFractionLeavesOptionsJsonAndSplitsAsTheyWere() {
        assertThat(DEFAULTS.json()).doesNotContain("holdout");
        PreparationOptions explicitZero = DEFAULTS.overriddenBy(new PreprocessOptions(null, null, null, null, null,
                null, 0.0));
        assertThat(explicitZero.json()).isEqualTo(DEFAULTS.json());
        ShardManifest manifest = prepare(dirtyDataset(), DEFAULTS, new ArrayList<>());
        assertThat(manifest.shards().keySet()).containsExactly("train", "validation", "test");
        assertThat(prepare(dirtyDataset(), explicitZero, new ArrayList<>()).build()).isEqualTo(manifest.build());
    }

    @Test
    void aHoldoutIsPublishedAsASplitOfItsOwnAndNeverTrainedOn() {
        List<SpooledRecord> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(record("r" + i, "review number " + i + (i % 2 == 0 ? " was good" : " was bad"),
                    i % 2 == 0 ? "pos" : "neg", null));
        }
        PreparationOptions options = DEFAULTS.overriddenBy(new PreprocessOptions(null, null, "oversample", null, null,
                null, 0.2));
        assertThat(options.json()).contains("\"holdoutFraction\":0.2");
        List<Shard> shards = new ArrayList<>();
        ShardManifest manifest = prepare(records, options, shards);

        assertThat(manifest.shards()).containsKey("holdout");
        assertThat(manifest.examples("holdout")).isBetween(20, 60); // 40 expected
        Map<String, List<String>> idsBySplit = shards.stream().collect(Collectors.groupingBy(Shard::split,
                Collectors.flatMapping(s -> s.examples().stream().map(TokenizedExample::id), Collectors.toList())));
        List<String> holdout = idsBySplit.get("holdout");
        assertThat(holdout).hasSize(manifest.examples("holdout"));
        // Oversampled copies are named "<id>#copy<n>": no train example is a holdout record or a copy of one.
        assertThat(idsBySplit.get("train").stream().map(id -> id.replaceAll("#copy\\d+$", "")))
                .doesNotContainAnyElementsOf(holdout);
        assertThat(idsBySplit.get("test")).doesNotContainAnyElementsOf(holdout);
        assertThat(idsBySplit.get("validation")).doesNotContainAnyElementsOf(holdout);
        assertThat(manifest.report().steps().stream().filter(step -> step.name().equals("split")).findFirst()
                .orElseThrow().detail()).contains("holdout=" + holdout.size());

    }

    @Test
    void aHoldoutFractionOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> DEFAULTS.overriddenBy(new PreprocessOptions(null, null, null, null, null, null,
                1.5))).hasMessageContaining("holdoutFraction: 1.5 is not a share")
                .extracting(e -> ((PreparationFailure) e).reason()).isEqualTo("invalid-options");
    }

    @Test
    void versionsOfAContinuousDatasetArePreparedFromTheRecordsBeforeTheirEndMarker() {
        List<SpooledRecord> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) { // offsets 0..399 of one partition; version 1 ends at 200
            records.add(new SpooledRecord(0, i, String.format("r%04d", i), "review number " + i + " of the film",
                    i % 2 == 0 ? "pos" : "neg", null));
        }
        PreparationOptions options = DEFAULTS.withStableSplit(true);
        try (DatasetSpool spool = spool(records)) {
            DatasetPreparer preparer = new DatasetPreparer(tokenizers, new ScratchTokenizers(dir.resolve("vocab"), 200,
                    2));
            assertThat(spool.countBefore(200)).isEqualTo(200);
            List<Shard> first = new ArrayList<>();
            ShardManifest v1 = preparer.prepare("reviews", spool, 200L, options, new DatasetPreparer.Version(1, 200),
                    first::add, (b, t) -> { });
            List<Shard> second = new ArrayList<>();
            ShardManifest v2 = preparer.prepare("reviews", spool, 400L, options, new DatasetPreparer.Version(2, 400),
                    second::add, (b, t) -> { });

            assertThat(v1.version()).isEqualTo(1);
            assertThat(v2.version()).isEqualTo(2);
            assertThat(v1.report().steps().get(0).before()).as("received").isEqualTo(200);
            assertThat(v2.report().steps().get(0).before()).isEqualTo(400);
            assertThat(v1.examples("train") + v1.examples("validation") + v1.examples("test")).isEqualTo(200);
            assertThat(v1.build()).isNotEqualTo(v2.build());
            assertThat(v1.configHash()).isEqualTo(v2.configHash()).isNotEqualTo(DEFAULTS.configHash());
            Map<String, List<String>> ids1 = idsBySplit(first);
            Map<String, List<String>> ids2 = idsBySplit(second);
            assertThat(ids1.get("train")).allMatch(id -> id.compareTo("r0200") < 0);
            assertThat(ids2.get("test")).containsAll(ids1.get("test"));
            assertThat(ids2.get("validation")).containsAll(ids1.get("validation"));
            assertThat(ids2.get("train")).containsAll(ids1.get("train"));
        }
        // The same records, prepared as a dataset that is not continuous: the build it always had.
        assertThat(DEFAULTS.json()).doesNotContain("stableSplit");
    }

    private static Map<String, List<String>> idsBySplit(List<Shard> shards) {
        return shards.stream().collect(Collectors.groupingBy(Shard::split,
                Collectors.flatMapping(s -> s.examples().stream().map(TokenizedExample::id), Collectors.toList())));
    }
}
