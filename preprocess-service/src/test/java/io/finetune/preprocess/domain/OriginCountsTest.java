package io.finetune.preprocess.domain;

import io.finetune.contracts.CleaningReport;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;
import io.finetune.distilbert.ModelResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cleaning report counts records by the kind of their origin, and says nothing of origins none named. */
class OriginCountsTest {
    private static final PreparationOptions OPTIONS = new PreparationOptions("distilbert-tiny", 128, "none", 0.1,
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

    @Test
    void aDatasetWithoutOriginsHasTheReportOfBefore() {
        CleaningReport report = prepare(DatasetPreparerTest.dirtyDataset()).report();

        assertThat(report.origins()).isNull();
        assertThat(Json.write(report)).doesNotContain("origins");
    }

    @Test
    void recordsAreCountedByOriginKindAsReceivedAndAsKept() {
        List<SpooledRecord> records = new ArrayList<>(DatasetPreparerTest.dirtyDataset()); // 65 received, 60 kept
        // the same request corrected twice: one record after the ids are deduplicated
        records.add(withOrigin("correction:phishing:r-1", "A surprising film, better than it looked", "pos",
                "correction"));
        records.add(withOrigin("correction:phishing:r-1", "A surprising film, better than it looked", "neg",
                "correction"));
        records.add(withOrigin("correction:phishing:r-2", "Nothing happens for two hours", "neg", "correction"));
        records.add(withOrigin("rv-1", "<br /> ", "pos", "review")); // empty after cleaning

        ShardManifest manifest = prepare(records);

        assertThat(manifest.report().origins()).isEqualTo(Map.of(
                CleaningReport.NO_ORIGIN, new CleaningReport.OriginCount(65, 60),
                "correction", new CleaningReport.OriginCount(3, 2),
                "review", new CleaningReport.OriginCount(1, 0)));
        int examples = manifest.counts().values().stream().flatMap(m -> m.values().stream())
                .mapToInt(Integer::intValue).sum();
        assertThat(examples).isEqualTo(62); // no balancing: every kept record is an example
    }

    /** An origin is where a record came from, not what it says: the same records give the same build. */
    @Test
    void originsDoNotChangeTheBuild() {
        List<SpooledRecord> plain = DatasetPreparerTest.dirtyDataset();
        List<SpooledRecord> named = plain.stream().map(r -> withOrigin(r.id(), r.text(), r.label(), "upload")).toList();

        ShardManifest a = prepare(plain);
        ShardManifest b = prepare(named);
        assertThat(b.build()).isEqualTo(a.build());
        assertThat(b.report().origins()).containsOnlyKeys("upload");
    }

    private static SpooledRecord withOrigin(String id, String text, String label, String kind) {
        return new SpooledRecord(0, -1, id, text, label, null, kind);
    }

    private static ShardManifest prepare(List<SpooledRecord> records) {
        try (DatasetSpool spool = DatasetSpool.open(dir.resolve("spool-" + (spools++) + ".jsonl"))) {
            records.forEach(spool::append);
            return new DatasetPreparer(tokenizers, new ScratchTokenizers(dir.resolve("vocab"), 200, 2))
                    .prepare("reviews", spool, (long) records.size(), OPTIONS, shard -> { }, (build, zip) -> { });
        }
    }
}
