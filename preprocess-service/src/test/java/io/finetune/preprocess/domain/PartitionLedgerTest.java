package io.finetune.preprocess.domain;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionLedgerTest {
    private final PartitionLedger ledger = new PartitionLedger();

    @Test
    void theWatermarkStaysAtTheFirstRecordOfTheOldestUnfinishedDataset() {
        PartitionLedger.Ownership p0 = ledger.assigned(0, 100, 100, Map.of());
        assertThat(p0.watermark()).isEqualTo(100);

        p0.spooled("a", 100);
        p0.spooled("b", 101);
        p0.spooled("a", 102);
        p0.handled(103); // a dead letter
        assertThat(p0.watermark()).as("a is open from 100").isEqualTo(100);

        p0.finished("a", 104);
        assertThat(p0.watermark()).as("b is open from 101").isEqualTo(101);
        p0.finished("b", 105);
        assertThat(p0.watermark()).as("nothing open: after the last record handled").isEqualTo(106);
        assertThat(p0.openDatasets()).isEmpty();
    }

    @Test
    void aRecordBehindItsDatasetsEndMarkerIsKnownAsSuch() {
        PartitionLedger.Ownership p0 = ledger.assigned(0, 0, 0, Map.of());
        p0.spooled("a", 0);
        assertThat(p0.endedBefore("a", 1)).as("no END marker read yet").isEmpty();
        p0.finished("a", 5);
        assertThat(p0.endedBefore("a", 6)).hasValue(5);
        assertThat(p0.endedBefore("a", 3)).as("before the marker: read again, in the dataset").isEmpty();
        assertThat(p0.endedBefore("b", 6)).as("another dataset").isEmpty();
        p0.handled(6); // the late record, dead-lettered: it opens nothing
        assertThat(p0.watermark()).isEqualTo(7);
        assertThat(ledger.assigned(0, 7, 7, Map.of()).endedBefore("a", 8))
                .as("a new ownership knows only the END markers it reads").isEmpty();
    }

    @Test
    void aContinuousDatasetHoldsTheWatermarkAtItsFirstRecordAcrossItsVersions() {
        PartitionLedger.Ownership p0 = ledger.assigned(0, 0, 0, Map.of());
        p0.spooled("c", 0);
        p0.spooled("plain", 1);
        p0.spooled("c", 2);
        p0.versionEnded("c", 3, 1);
        p0.finished("plain", 4);
        assertThat(p0.watermark()).as("version 1 ended; its records belong to version 2 too").isEqualTo(0);
        assertThat(p0.openDatasets()).containsExactly("c");
        assertThat(p0.endedBefore("c", 5)).as("a record after a version's END marker is in the next one").isEmpty();
        assertThat(p0.lastVersion("c")).isEqualTo(1);
        p0.spooled("c", 5);
        p0.versionEnded("c", 6, 1); // a repeated marker of version 1
        assertThat(p0.lastVersion("c")).isEqualTo(1);
        p0.versionEnded("c", 7, 2);
        assertThat(p0.lastVersion("c")).isEqualTo(2);
        assertThat(p0.watermark()).isEqualTo(0);
        assertThat(p0.next()).isEqualTo(8);
        assertThat(p0.lastEnd()).as("the commit of handled-to is due, though the watermark did not move").isEqualTo(7);
        assertThat(ledger.assigned(0, 0, 8, Map.of()).lastVersion("c"))
                .as("a new ownership learns the versions again from the END markers it reads").isZero();
    }

    @Test
    void aRecordReadAgainDoesNotMoveADatasetsStart() {
        PartitionLedger.Ownership p1 = ledger.assigned(1, 10, 10, Map.of("kept", 12L));
        assertThat(p1.watermark()).isEqualTo(10);
        p1.handled(10);
        p1.handled(11);
        p1.spooled("kept", 12); // spooled before a restart: skipped by the spool, still open from 12
        p1.spooled("kept", 13);
        assertThat(p1.watermark()).isEqualTo(12);
        assertThat(p1.openDatasets()).containsExactly("kept");
    }

    @Test
    void aRevokedPartitionIsForgottenAndAReassignmentIsANewOwnership() {
        PartitionLedger.Ownership first = ledger.assigned(2, 0, 0, Map.of());
        first.spooled("d", 0);
        assertThat(ledger.revoked(2)).isSameAs(first);
        assertThat(ledger.of(2)).isNull();
        assertThat(ledger.partitions()).isEmpty();

        PartitionLedger.Ownership second = ledger.assigned(2, 0, 0, Map.of());
        assertThat(second).isNotSameAs(first);
        assertThat(ledger.of(2)).isSameAs(second);
        assertThat(ledger.partitions()).containsExactly(2);
    }

    @Test
    void endMarkersBelowWhereThePreviousOwnerGotToWereHandledThere() {
        PartitionLedger.Ownership resumed = ledger.assigned(0, 40, 90, Map.of());
        assertThat(resumed.handledEarlier(39)).isTrue();
        assertThat(resumed.handledEarlier(89)).isTrue();
        assertThat(resumed.handledEarlier(90)).isFalse();
        assertThat(resumed.next()).isEqualTo(90);
        resumed.spooled("open", 40);
        resumed.handled(95);
        assertThat(resumed.next()).isEqualTo(96);
        assertThat(resumed.watermark()).isEqualTo(40);
    }

    @Test
    void aSpoolThatStartsBeforeTheCommittedOffsetCannotBeResumed() {
        assertThatThrownBy(() -> ledger.assigned(0, 50, 50, Map.of("stale", 40L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before the committed offset 50");
    }
}
