package io.finetune.preprocess.domain;

/**
 * One received record as kept on disk until its dataset is sealed.
 *
 * @param p the Kafka partition it came from
 * @param o the Kafka offset it came from (-1 when unknown), so a redelivered record is recognised and skipped
 */
public record SpooledRecord(int p, long o, String id, String text, String label, String split) {
}
