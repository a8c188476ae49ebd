package io.finetune.contracts;

/** Precision, recall and F1 of one class on an evaluation split; support = examples whose true label it is. */
public record ClassMetrics(String label, double precision, double recall, double f1, int support) {
}
