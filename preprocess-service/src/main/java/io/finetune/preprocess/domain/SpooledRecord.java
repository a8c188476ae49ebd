package io.finetune.preprocess.domain;

/**
 * One received record as kept on disk until its dataset is sealed.
 *
 * @param p      the Kafka partition it came from
 * @param o      the Kafka offset it came from (-1 when unknown), so a redelivered record is recognised and skipped
 * @param origin the kind of its origin ({@link io.finetune.contracts.RecordOrigin#kind()}), null when it names none:
 *               what the cleaning report counts records by
 */
public record SpooledRecord(int p, long o, String id, String text, String label, String split, String origin) {
    /** A record that names no origin. */
    public SpooledRecord(int p, long o, String id, String text, String label, String split) {
        this(p, o, id, text, label, split, null);
    }
}
