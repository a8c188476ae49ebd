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

    Entry(String id, String label, String givenSplit, long offset, int length, long rawHash, long normalisedHash,
          long cleanedHash) {
        this.id = id;
        this.label = label;
        this.givenSplit = givenSplit;
        this.offset = offset;
        this.length = length;
        this.rawHash = rawHash;
        this.normalisedHash = normalisedHash;
        this.cleanedHash = cleanedHash;
    }

    /** An oversampled copy: same text and label, an id of its own so every example stays addressable. */
    Entry copy(int n) {
        return new Entry(id + "#copy" + n, label, givenSplit, offset, length, rawHash, normalisedHash, cleanedHash);
    }
}
