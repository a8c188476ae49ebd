package io.finetune.distilbert.metrics;

/**
 * Precision, recall and F1 of one class, with its support (how many examples truly have it). The distilbert module
 * knows no service contracts: the evaluator copies these into its published {@code ClassMetrics}.
 */
public record PerClassMetrics(String label, double precision, double recall, double f1, int support) {
}
