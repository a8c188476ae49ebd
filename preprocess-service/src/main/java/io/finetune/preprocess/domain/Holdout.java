package io.finetune.preprocess.domain;

/**
 * Membership of the promotion holdout, decided for each record on its own: a record is in it when a hash of its
 * normalised text (the key that near-duplicate removal compares) and the seed, read as a number in [0, 1), falls
 * below the fraction. Nothing else goes into the decision (not the other records, their number or their order), so
 * a dataset that grows keeps every member it had, and a record written again with other case or punctuation is where
 * it was. The share is the fraction in expectation, not exactly: that is the price of stability.
 */
final class Holdout {
    private static final double UNIT = 0x1.0p-53;
    private final double fraction;
    private final long seed;

    Holdout(double fraction, long seed) {
        this.fraction = fraction;
        this.seed = seed;
    }

    boolean drawn() {
        return fraction > 0;
    }

    /** @param normalisedHash {@link Entry#normalisedHash}: 64 bits of SHA-256 of the record's normalised text */
    boolean contains(long normalisedHash) {
        return drawn() && position(normalisedHash, seed) < fraction;
    }

    /**
     * Where the record falls in [0, 1): SplitMix64's finaliser over the text hash and the seed, so another seed
     * draws another holdout, and the top 53 bits as a double.
     */
    static double position(long normalisedHash, long seed) {
        long z = normalisedHash + seed * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * UNIT;
    }
}
