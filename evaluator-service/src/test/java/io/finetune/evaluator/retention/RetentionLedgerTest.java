package io.finetune.evaluator.retention;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger on the evaluator's volume: what a restart finds held and released. */
class RetentionLedgerTest {
    @TempDir
    Path dir;

    @Test
    void aCheckpointIsHeldThenReleasedAndHeldAgainWhenItsChunksComeAgain() {
        RetentionLedger ledger = new RetentionLedger(dir);
        RetentionLedger.Held first = new RetentionLedger.Held("job-1-epoch-1", "job-1", 3, 1_200_000,
                Instant.parse("2026-12-06T10:00:00Z"));
        RetentionLedger.Held second = new RetentionLedger.Held("job-1-epoch-2", "job-1", 3, 1_200_000,
                Instant.parse("2026-12-06T10:05:00Z"));
        ledger.hold(second);
        ledger.hold(first);
        assertThat(ledger.held()).as("oldest first").containsExactly(first, second);

        ledger.release(first, Instant.parse("2026-12-06T11:00:00Z"), "not needed");
        // What a restarted evaluator reads from the same volume.
        RetentionLedger restarted = new RetentionLedger(dir);
        assertThat(restarted.held()).containsExactly(second);
        assertThat(restarted.released("job-1-epoch-1")).hasValueSatisfying(r -> {
            assertThat(r.chunks()).isEqualTo(3);
            assertThat(r.why()).isEqualTo("not needed");
        });
        assertThat(restarted.knows("job-1-epoch-1")).isTrue();
        assertThat(restarted.knows("job-1-epoch-3")).isFalse();

        restarted.hold(first); // a resumed trainer sent it again
        assertThat(restarted.released("job-1-epoch-1")).isEmpty();
        assertThat(restarted.held()).containsExactly(first, second);
    }
}
