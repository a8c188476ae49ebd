package io.finetune.preprocess.domain;

/**
 * What preparation keeps in memory of one record: its id, label, given split, where its text lies in the spool and
 * hashes of its text. A few dozen bytes instead of the text itself, so millions of records fit.
 */
final class Entry {
    final String id;
    final String label;
    final String givenSplit;
    final long offset;
    final int length;
    final long rawHash;
    final long normalisedHash;
    final long cleanedHash;
    /** The kind of the record's origin, or null: one shared String per kind, counted in the cleaning report. */
    final String origin;

    Entry(String id, String label, String givenSplit, long offset, int length, long rawHash, long normalisedHash,
          long cleanedHash) {
        this(id, label, givenSplit, offset, length, rawHash, normalisedHash, cleanedHash, null);
    }

    Entry(String id, String label, String givenSplit, long offset, int length, long rawHash, long normalisedHash,
          long cleanedHash, String origin) {
        this.id = id;
        this.label = label;
        this.givenSplit = givenSplit;
        this.offset = offset;
        this.length = length;
        this.rawHash = rawHash;
        this.normalisedHash = normalisedHash;
        this.cleanedHash = cleanedHash;
        this.origin = origin;
    }

    /** An oversampled copy: same text and label, an id of its own so every example stays addressable. */
    Entry copy(int n) {
        return new Entry(id + "#copy" + n, label, givenSplit, offset, length, rawHash, normalisedHash, cleanedHash,
                origin);
    }
}
