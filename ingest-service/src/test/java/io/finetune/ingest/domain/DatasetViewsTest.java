package io.finetune.ingest.domain;

import io.finetune.contracts.DatasetCounts;
import io.finetune.contracts.DatasetDefined;
import io.finetune.contracts.DatasetSealed;
import io.finetune.contracts.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry's view of its topic: first claim wins, newest counts per replica, tombstones change nothing. */
class DatasetViewsTest {
    private final DatasetViews views = new DatasetViews();

    @Test
    void theFirstDefinitionAndSealWinAndTheirTombstonesAreIgnored() {
        views.apply("d/defined/1", DatasetDefined.TYPE,
                Json.write(DatasetDefined.of("d", List.of("text"), "label", List.of("a"), "id", "r1")));
        views.apply("d/defined/2", DatasetDefined.TYPE,
                Json.write(DatasetDefined.of("d", List.of("body"), "tag", null, "id", "r2")));
        views.apply("d/defined/2", DatasetDefined.TYPE, null);
        DatasetSealed claim = DatasetSealed.claim("d", 1, 7, "r2", "p2");
        views.apply("d/sealed/1", DatasetSealed.TYPE, Json.write(claim));
        views.apply("d/sealed/2", DatasetSealed.TYPE, Json.write(DatasetSealed.claim("d", 1, 9, "r1", "p1")));
        assertThat(views.get("d").seal.ended()).isFalse();
        views.apply("d/sealed/2", DatasetSealed.TYPE, Json.write(DatasetSealed.claim("d", 1, 9, "r1", "p1").asEnded()));
        assertThat(views.get("d").seal.ended()).isFalse();
        views.apply("d/sealed/1", DatasetSealed.TYPE, Json.write(claim.asEnded()));

        DatasetViews.View view = views.get("d");
        assertThat(views.definitionKey("d")).isEqualTo("d/defined/1");
        assertThat(views.definition("d").textFields()).containsExactly("text");
        assertThat(view.sealKey).isEqualTo("d/sealed/1");
        assertThat(view.seal.accepted()).isEqualTo(7);
        assertThat(view.seal.ended()).isTrue();
    }

    @Test
    void aLaterSealFollowsAnEndedOneOnlyAsItsNextNumberAndOnlyOnce() {
        // Written before seals were numbered: no "seal" field, read as the first seal.
        views.apply("d/sealed/1", DatasetSealed.TYPE, "{\"v\":1,\"dataset\":\"d\",\"accepted\":7,\"replica\":\"r1\","
                + "\"process\":\"p1\",\"ended\":false}");
        views.apply("d/sealed/2", DatasetSealed.TYPE, Json.write(DatasetSealed.claim("d", 2, 7, "r1", "p1")));
        assertThat(views.get("d").sealKey).as("seal 1 is not ended yet").isEqualTo("d/sealed/1");
        views.apply("d/sealed/1", DatasetSealed.TYPE, Json.write(views.get("d").seal.asEnded()));
        assertThat(views.get("d").seal.seal()).isEqualTo(1);

        views.apply("d/sealed/3", DatasetSealed.TYPE, Json.write(DatasetSealed.claim("d", 3, 7, "r2", "p2")));
        views.apply("d/sealed/4", DatasetSealed.TYPE, Json.write(DatasetSealed.claim("d", 2, 7, "r2", "p2")));
        views.apply("d/sealed/5", DatasetSealed.TYPE, Json.write(DatasetSealed.claim("d", 2, 7, "r1", "p1")));
        assertThat(views.get("d").sealKey).isEqualTo("d/sealed/4");
        assertThat(views.get("d").seal.seal()).isEqualTo(2);
        assertThat(views.get("d").seal.ended()).isFalse();
    }

    @Test
    void eachReplicasNewestCountsAreKept() {
        views.apply("d/counts/r1", DatasetCounts.TYPE, Json.write(DatasetCounts.of("d", "r1", 3, Map.of())));
        views.apply("d/counts/r2", DatasetCounts.TYPE, Json.write(DatasetCounts.of("d", "r2", 5, Map.of("x", 1L))));
        views.apply("d/counts/r1", DatasetCounts.TYPE, Json.write(DatasetCounts.of("d", "r1", 4, Map.of("y", 2L))));

        Map<String, DatasetCounts> counts = views.get("d").counts;
        assertThat(counts.get("r1").accepted()).isEqualTo(4);
        assertThat(counts.get("r1").rejectedByReason()).isEqualTo(Map.of("y", 2L));
        assertThat(counts.get("r2").accepted()).isEqualTo(5);
        assertThat(views.definition("d")).isNull();
    }

    @Test
    void unknownTypesAndEventsWithoutADatasetAreRefused() {
        assertThatThrownBy(() -> views.apply("d/x/1", "renamed", "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> views.apply("d/counts/r1", DatasetCounts.TYPE, "{\"v\":1,\"replica\":\"r1\"}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(views.get("d")).isNull();
    }
}
