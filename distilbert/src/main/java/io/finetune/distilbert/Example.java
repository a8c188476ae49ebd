package io.finetune.distilbert;

/** One tokenized training example: input ids ({@code [CLS] … [SEP]}, unpadded) and the label's id. */
public record Example(int[] inputIds, int label) {
    public Example {
        if (inputIds == null || inputIds.length == 0) {
            throw new IllegalArgumentException("An example needs at least one token");
        }
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label);
        }
    }
}
