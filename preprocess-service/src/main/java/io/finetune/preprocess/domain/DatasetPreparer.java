package io.finetune.preprocess.domain;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.distilbert.scratch.ScratchModels;
import io.finetune.distilbert.vocab.WordPieceVocabulary;
import io.finetune.distilbert.vocab.WordPieceVocabularyBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Turns a sealed dataset's spool into shards and their manifest: standardise, drop incomplete rows, remove duplicates,
 * split (a promotion holdout first, where the options ask for one), balance, tokenize, cut. Reads the spool twice (once to index, once to tokenize) and holds only small index
 * entries in memory. Deterministic: the same spooled records and options give byte-identical shards whatever order
 * the records arrived in. With model {@code scratch} the tokenizer is a WordPiece vocabulary built from the train
 * split only (validation and test never shape it), read once more from the spool.
 */
public final class DatasetPreparer {
    private static final int TOKENIZE_BATCH = 128;
    private final Tokenizers tokenizers;
    private final ScratchTokenizers scratch;

    public DatasetPreparer(Tokenizers tokenizers, ScratchTokenizers scratch) {
        this.tokenizers = tokenizers;
        this.scratch = scratch;
    }

    /**
     * A version of a continuous dataset: every record of it from source offsets below {@code before} (its END marker).
     *
     * @param number the version, its seal number; it goes into the manifest and the build id
     */
    public record Version(int number, long before) {
    }

    /** The whole spool, of a dataset that is not continuous. */
    public ShardManifest prepare(String dataset, DatasetSpool spool, Long accepted, PreparationOptions requested,
                                 Consumer<Shard> sink, BiConsumer<String, byte[]> tokenizerSink) {
        return prepare(dataset, spool, accepted, requested, null, sink, tokenizerSink);
    }

    /**
     * @param accepted how many records ingest says it accepted (null when unknown), checked against the spool
     * @param version  of a continuous dataset, which version to prepare from the spool; null: the whole spool
     * @param sink     receives each shard as soon as it is cut; may block to slow preparation down
     * @param tokenizerSink receives (build, zip of the tokenizer files) when the dataset has a vocabulary of its own
     * @return the manifest, to be published once every shard and the tokenizer files are safely stored
     */
    public ShardManifest prepare(String dataset, DatasetSpool spool, Long accepted, PreparationOptions requested,
                                 Version version, Consumer<Shard> sink, BiConsumer<String, byte[]> tokenizerSink) {
        requested.validate();
        boolean fromScratch = ScratchTokenizers.isScratch(requested.model());
        WordPieceVocabularyBuilder vocabulary = fromScratch ? scratch.builder(requested.model()) : null;
        Tokenizers.Loaded named = fromScratch ? null : tokenizers.load(requested.model(), requested.maxLength());
        PreparationOptions options = requested.withMaxLength(fromScratch
                ? Math.min(requested.maxLength(), ScratchModels.MAX_POSITIONS) : named.maxLength());
        TextStandardiser standardiser = new TextStandardiser(options.stripHtml(), options.lowercase(),
                options.removeSpecialChars());
        List<CleaningReport.Step> steps = new ArrayList<>();

        Scan scan = scan(spool, standardiser, version == null ? Long.MAX_VALUE : version.before());
        long received = scan.received;
        steps.add(new CleaningReport.Step("received", (int) received, (int) received, accepted == null ? null
                : accepted == received ? "all " + accepted + " records ingest accepted"
                : "ingest accepted " + accepted + " records, " + received + " arrived"));
        steps.add(new CleaningReport.Step("standardise", (int) received, (int) received, scan.changes.describe()));
        int incomplete = scan.empty + scan.unlabeled;
        steps.add(new CleaningReport.Step("drop-incomplete", (int) received, scan.entries.size(),
                scan.empty + " empty after cleaning, " + scan.unlabeled + " without label"));

        // Sorted by id first: which of two duplicates survives must not depend on arrival order.
        List<Entry> entries = scan.entries;
        entries.sort(Comparator.comparing((Entry e) -> e.id).thenComparingLong(e -> e.offset));
        Deduplicator.Result exact = Deduplicator.exact(entries);
        steps.add(dedupeStep("dedupe-exact", entries.size(), exact));
        Deduplicator.Result normalised = options.dedupeNormalised() ? Deduplicator.normalised(exact.kept())
                : new Deduplicator.Result(exact.kept(), 0, 0);
        steps.add(options.dedupeNormalised() ? dedupeStep("dedupe-normalised", exact.kept().size(), normalised)
                : new CleaningReport.Step("dedupe-normalised", exact.kept().size(), exact.kept().size(), "disabled"));
        Deduplicator.Result ids = Deduplicator.ids(normalised.kept());
        steps.add(dedupeStep("dedupe-ids", normalised.kept().size(), ids));
        entries = ids.kept();
        Map<String, CleaningReport.OriginCount> origins = origins(scan.receivedByOrigin, entries);

        List<String> labels = List.copyOf(new TreeSet<>(entries.stream().map(e -> e.label).toList()));
        if (labels.size() < 2) {
            throw new PreparationFailure("too-few-classes", "dataset '" + dataset + "' has " + labels.size()
                    + " class(es) " + labels + " after cleaning (" + entries.size()
                    + " records left): a classifier needs at least 2");
        }

        // The promotion holdout first, then train/validation/test from the rest; the holdout is tokenized and
        // published as a split of its own, never trained on and never shaping a scratch vocabulary.
        Map<String, List<Entry>> splits = new Splitter(options.validationFraction(), options.testFraction(),
                options.seed(), options.holdoutFraction(), options.stableSplit()).split(entries);
        steps.add(new CleaningReport.Step("split", entries.size(), entries.size(), describe(splits)));
        List<Entry> train = splits.get(Splits.TRAIN);
        List<Entry> balanced = new ArrayList<>(Balancer.balance(train, options.balance(), options.seed()));
        steps.add(new CleaningReport.Step("balance", train.size(), balanced.size(), options.balance() + " (train only)"));
        if (balanced.isEmpty()) {
            throw new PreparationFailure("empty-train-split", "dataset '" + dataset + "' has no train examples left"
                    + " after splitting " + entries.size() + " records");
        }
        // Records sorted by id may be grouped by label (ids like "pos-17"); a seeded shuffle keeps training sane
        // for readers that take the train shards in order.
        Collections.shuffle(balanced, new Random(options.seed() + 3));
        splits.put(Splits.TRAIN, balanced);

        ScratchTokenizers.Built built = null;
        try {
            Tokenizers.Loaded tokenizer = named;
            if (fromScratch) { // the train split before balancing: oversampled copies would skew the counts
                built = scratch.publish(dataset, vocabulary(vocabulary, spool, standardiser, train), options.maxLength());
                tokenizer = built.loaded();
                steps.add(new CleaningReport.Step("vocabulary", train.size(), train.size(), "WordPiece vocabulary of "
                        + built.vocabSize() + " tokens built from the train split"));
            }
            Integer number = version == null ? null : version.number();
            String build = build(options, tokenizer.identity(), splits, number);
            if (built != null) {
                tokenizerSink.accept(build, built.archive());
            }
            Tokenized tokenized = tokenize(dataset, build, spool, standardiser, tokenizer, labels, splits, options,
                    sink);
            int total = splits.values().stream().mapToInt(List::size).sum();
            steps.add(new CleaningReport.Step("tokenize", total, total, tokenized.truncated + " truncated at "
                    + tokenizer.maxLength() + " tokens"));
            return manifest(dataset, build, labels, splits, tokenized, tokenizer, options, steps, exact, normalised,
                    ids, incomplete, origins, built == null ? null : ShardManifest.TokenizerArchive.of(built.archive()),
                    number);
        } finally {
            if (built != null) {
                built.close();
            }
        }
    }

    private static WordPieceVocabulary vocabulary(WordPieceVocabularyBuilder builder, DatasetSpool spool,
                                                  TextStandardiser standardiser, List<Entry> train) {
        try (DatasetSpool.RandomReader reader = spool.reader()) {
            for (Entry e : train) {
                builder.add(standardiser.clean(reader.read(e.offset, e.length).text()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return builder.build();
    }

    private static ShardManifest manifest(String dataset, String build, List<String> labels,
                                          Map<String, List<Entry>> splits, Tokenized tokenized,
                                          Tokenizers.Loaded tokenizer, PreparationOptions options,
                                          List<CleaningReport.Step> steps, Deduplicator.Result exact,
                                          Deduplicator.Result normalised, Deduplicator.Result ids, int incomplete,
                                          Map<String, CleaningReport.OriginCount> origins,
                                          ShardManifest.TokenizerArchive archive, Integer version) {
        Map<String, Map<String, Integer>> counts = counts(splits, labels);
        CleaningReport report = new CleaningReport(steps,
                exact.removed() + normalised.removed() + ids.removed(), incomplete, tokenized.truncated, counts,
                tokenized.histogram.counts(), origins);
        return new ShardManifest(ShardManifest.VERSION, dataset, build, labels, tokenized.shards, counts,
                tokenizer.identity(), options.model(), tokenizer.maxLength(), options.configHash(), report, archive,
                version);
    }

    private static final class Scan {
        final List<Entry> entries = new ArrayList<>();
        final TextChanges changes = new TextChanges();
        /** Records received per origin kind, {@link CleaningReport#NO_ORIGIN} for none. */
        final Map<String, Integer> receivedByOrigin = new TreeMap<>();
        private final Map<String, String> originNames = new HashMap<>(); // one String per kind, not one per record
        long received;
        int empty;
        int unlabeled;

        /** Counts a received record's origin kind (null: none) and returns the one String kept for that kind. */
        String origin(String kind) {
            receivedByOrigin.merge(kind == null ? CleaningReport.NO_ORIGIN : kind, 1, Integer::sum);
            return kind == null ? null : originNames.computeIfAbsent(kind, k -> k);
        }
    }

    /** @param before source offset from which records are left out: they belong to a later version */
    private static Scan scan(DatasetSpool spool, TextStandardiser standardiser, long before) {
        Scan scan = new Scan();
        Map<String, String> labelNames = new HashMap<>(); // one String per label, not one per record
        Set<TextChange> changes = EnumSet.noneOf(TextChange.class);
        spool.forEach(line -> {
            SpooledRecord r = line.record();
            if (r.o() >= before) {
                return;
            }
            scan.received++;
            String origin = scan.origin(r.origin());
            String raw = r.text() == null ? "" : r.text();
            changes.clear();
            String cleaned = standardiser.clean(raw, changes);
            scan.changes.count(changes);
            if (cleaned.isEmpty()) {
                scan.empty++;
            } else if (r.label() == null || r.label().isBlank()) {
                scan.unlabeled++;
            } else {
                String id = r.id() == null || r.id().isBlank() ? "line-" + line.offset() : r.id();
                String label = labelNames.computeIfAbsent(r.label(), l -> l);
                scan.entries.add(new Entry(id, label, r.split(), line.offset(), line.length(), TextHash.of(raw),
                        TextHash.of(TextStandardiser.normalisedKey(cleaned)), TextHash.of(cleaned), origin));
            }
        });
        return scan;
    }

    /**
     * Records per origin kind, received and kept after cleaning and deduplication; null when no record named an
     * origin, so the report of such a dataset stays as it was before origins existed.
     */
    private static Map<String, CleaningReport.OriginCount> origins(Map<String, Integer> received, List<Entry> kept) {
        if (received.isEmpty() || received.keySet().equals(Set.of(CleaningReport.NO_ORIGIN))) {
            return null;
        }
        Map<String, Integer> keptByOrigin = new HashMap<>();
        kept.forEach(e -> keptByOrigin.merge(e.origin == null ? CleaningReport.NO_ORIGIN : e.origin, 1, Integer::sum));
        Map<String, CleaningReport.OriginCount> origins = new TreeMap<>();
        received.forEach((kind, count) -> origins.put(kind, new CleaningReport.OriginCount(count,
                keptByOrigin.getOrDefault(kind, 0))));
        return origins;
    }

    private static CleaningReport.Step dedupeStep(String name, int before, Deduplicator.Result result) {
        return new CleaningReport.Step(name, before, result.kept().size(),
                result.removed() + " removed, " + result.conflicts() + " with a conflicting label (first kept)");
    }

    private static String describe(Map<String, List<Entry>> splits) {
        StringBuilder s = new StringBuilder();
        splits.forEach((name, list) -> s.append(s.isEmpty() ? "" : ", ").append(name).append('=').append(list.size()));
        return s.toString();
    }

    /**
     * First 16 hex digits of SHA-256 over the options, the tokenizer and the ordered content of every split, and the
     * version of a continuous dataset (two versions with the same records are two builds).
     */
    static String build(PreparationOptions options, String tokenizer, Map<String, List<Entry>> splits,
                        Integer version) {
        MessageDigest digest = io.finetune.contracts.Hashing.sha256();
        digest.update((options.json() + "\n" + tokenizer + "\n").getBytes(StandardCharsets.UTF_8));
        if (version != null) {
            digest.update(("version " + version + "\n").getBytes(StandardCharsets.UTF_8));
        }
        ByteBuffer hash = ByteBuffer.allocate(Long.BYTES);
        splits.forEach((split, list) -> {
            digest.update((split + "\n").getBytes(StandardCharsets.UTF_8));
            for (Entry e : list) {
                digest.update((e.id + "\u0000" + e.label + "\u0000").getBytes(StandardCharsets.UTF_8));
                digest.update(hash.clear().putLong(e.cleanedHash).array());
            }
        });
        return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    }

    private static final class Tokenized {
        final Map<String, Integer> shards = new LinkedHashMap<>();
        TokenLengthHistogram histogram;
        int truncated;
    }

    private static Tokenized tokenize(String dataset, String build, DatasetSpool spool, TextStandardiser standardiser,
                                      Tokenizers.Loaded tokenizer, List<String> labels,
                                      Map<String, List<Entry>> splits, PreparationOptions options,
                                      Consumer<Shard> sink) {
        Tokenized out = new Tokenized();
        out.histogram = new TokenLengthHistogram(tokenizer.maxLength());
        Map<String, Integer> labelIndex = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            labelIndex.put(labels.get(i), i);
        }
        try (DatasetSpool.RandomReader reader = spool.reader()) {
            for (Map.Entry<String, List<Entry>> split : splits.entrySet()) {
                ShardCutter cutter = new ShardCutter(dataset, build, split.getKey(), options.shardMaxBytes(),
                        options.shardMaxExamples(), sink);
                List<Entry> list = split.getValue();
                for (int from = 0; from < list.size(); from += TOKENIZE_BATCH) {
                    List<Entry> batch = list.subList(from, Math.min(list.size(), from + TOKENIZE_BATCH));
                    List<String> texts = new ArrayList<>(batch.size());
                    for (Entry e : batch) {
                        texts.add(tokenizer.window().cut(standardiser.clean(reader.read(e.offset, e.length).text())));
                    }
                    List<TextTokenizer.Encoded> encoded = tokenizer.tokenizer().encodeBatch(texts);
                    for (int i = 0; i < batch.size(); i++) {
                        TextTokenizer.Encoded enc = encoded.get(i);
                        out.truncated += enc.truncated() ? 1 : 0;
                        out.histogram.add(enc.inputIds().length);
                        cutter.add(new TokenizedExample(batch.get(i).id, labelIndex.get(batch.get(i).label),
                                enc.intIds()));
                    }
                }
                out.shards.put(split.getKey(), cutter.finish());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static Map<String, Map<String, Integer>> counts(Map<String, List<Entry>> splits, List<String> labels) {
        Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
        splits.forEach((split, list) -> {
            Map<String, Integer> perLabel = new TreeMap<>();
            labels.forEach(l -> perLabel.put(l, 0));
            list.forEach(e -> perLabel.merge(e.label, 1, Integer::sum));
            counts.put(split, perLabel);
        });
        return counts;
    }
}
