package io.finetune.preprocess.domain;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Where this replica stands on each partition it owns, and so which offset it may commit. A partition's offset is
 * committed only up to its low watermark: the first record of the oldest dataset on it that is received but not yet
 * prepared (or failed), else the record after the last one handled. The local spool is therefore only a cache: the
 * replica that takes a partition over (a scale-out, a scale-in, a restart) resumes from the committed offset, reads
 * every record of each unfinished dataset again and spools it whole; nothing exists only on another replica's disk.
 * Not thread-safe: the consumer's poll thread owns it.
 */
public final class PartitionLedger {
    private final Map<Integer, Ownership> owned = new HashMap<>();

    /**
     * One period of owning a partition, from its assignment to its revocation. Records fetched under an earlier
     * ownership of the same partition must not be handled under this one (they come again from the committed offset).
     */
    public static final class Ownership {
        private final int partition;
        /** Open datasets and the offset of their first record. */
        private final Map<String, Long> open = new HashMap<>();
        /** Datasets whose END marker this ownership has read, and its offset. */
        private final Map<String, Long> ended = new HashMap<>();
        /** Continuous datasets and the newest version whose END marker this ownership has read. */
        private final Map<String, Integer> versions = new HashMap<>();
        /** Records before this offset were handled by an earlier owner: their END markers were dealt with. */
        private final long handledBefore;
        private long next;
        /** The offset of the last END marker dealt with, -1 while none. */
        private long lastEnd = -1;

        private Ownership(int partition, long position, long handledBefore) {
            this.partition = partition;
            this.next = position;
            this.handledBefore = Math.max(position, handledBefore);
        }

        /**
         * Whether an earlier owner handled the record at {@code offset} already: read again only because an
         * unfinished dataset holds the watermark below it. Its END marker needs no second preparation.
         */
        public boolean handledEarlier(long offset) {
            return offset < handledBefore;
        }

        /** The offset after the last record handled, by this owner or an earlier one. */
        public long next() {
            return Math.max(next, handledBefore);
        }

        public int partition() {
            return partition;
        }

        /** A record of {@code dataset} at {@code offset} was spooled: the dataset is open from its first record on. */
        public void spooled(String dataset, long offset) {
            open.merge(dataset, offset, Math::min);
            handled(offset);
        }

        /** The dataset's END marker at {@code offset} was dealt with (prepared, failed or answered as a repeat). */
        public void finished(String dataset, long offset) {
            lastEnd = Math.max(lastEnd, offset);
            open.remove(dataset);
            ended.merge(dataset, offset, Math::min);
            handled(offset);
        }

        /**
         * Version {@code version} of a continuous dataset ended at {@code offset} (prepared, failed, dealt with by an
         * earlier owner, or a repeat). The dataset is not finished: its records keep coming for the next version,
         * which is prepared from all of them, so it stays open from its first record and holds the watermark there.
         */
        public void versionEnded(String dataset, long offset, int version) {
            lastEnd = Math.max(lastEnd, offset);
            versions.merge(dataset, version, Math::max);
            handled(offset);
        }

        /**
         * The newest version of the continuous dataset whose END marker this ownership has read, 0 when none. An END
         * marker of that version or an older one is a repeat (ingest sends a marker again when a crash cut its seal
         * short): the version is the records before its first marker, prepared already.
         */
        public int lastVersion(String dataset) {
            return versions.getOrDefault(dataset, 0);
        }

        /**
         * The offset of the dataset's END marker when this ownership read one before {@code offset}: a RECORD there
         * came after its dataset was sealed, so it is not in the dataset (ingest takes no record after a seal and
         * told its client so; a seal that overtook the send leaves it behind the marker).
         */
        public OptionalLong endedBefore(String dataset, long offset) {
            Long end = ended.get(dataset);
            return end != null && end < offset ? OptionalLong.of(end) : OptionalLong.empty();
        }

        /**
         * The offset of the last END marker dealt with (-1: none). Once it is at or past the {@link #next()} last
         * committed, the commit is due even if the watermark did not move (a continuous dataset holds it): else a
         * next owner would prepare that END marker's dataset again.
         */
        public long lastEnd() {
            return lastEnd;
        }

        /** A record that opened nothing (a dead letter) was handled. */
        public void handled(long offset) {
            next = Math.max(next, offset + 1);
        }

        /** The offset to commit: no record of an unfinished dataset lies before it. */
        public long watermark() {
            long watermark = next;
            for (long first : open.values()) {
                watermark = Math.min(watermark, first);
            }
            return watermark;
        }

        public Set<String> openDatasets() {
            return Collections.unmodifiableSet(open.keySet());
        }
    }

    /**
     * The partition was assigned; the consumer resumes it at {@code position} (the committed offset).
     *
     * @param handledBefore where the previous owner had got to (committed beside the offset), or {@code position}
     * @param spooled datasets already spooled on this disk for the partition (kept from before a restart) and the
     *                offset of their first record, each at or after {@code position}
     */
    public Ownership assigned(int partition, long position, long handledBefore, Map<String, Long> spooled) {
        Ownership ownership = new Ownership(partition, position, handledBefore);
        spooled.forEach((dataset, first) -> {
            if (first < position) {
                throw new IllegalArgumentException("dataset " + dataset + " spooled from offset " + first
                        + ", before the committed offset " + position + " of partition " + partition);
            }
            ownership.open.put(dataset, first);
        });
        owned.put(partition, ownership);
        return ownership;
    }

    /** The partition was revoked (or lost); what was spooled for it is no longer this replica's business. */
    public Ownership revoked(int partition) {
        return owned.remove(partition);
    }

    /** The current ownership of the partition, or null when it is not this replica's. */
    public Ownership of(int partition) {
        return owned.get(partition);
    }

    public Set<Integer> partitions() {
        return Collections.unmodifiableSet(owned.keySet());
    }
}
