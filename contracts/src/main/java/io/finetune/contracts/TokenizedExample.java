package io.finetune.contracts;

import java.util.Arrays;

/** One tokenized example: its record id, the label's index in the manifest's label list, and its token ids. */
public record TokenizedExample(String id, int label, int[] inputIds) {
    @Override
    public boolean equals(Object o) {
        return o instanceof TokenizedExample other && id.equals(other.id) && label == other.label
                && Arrays.equals(inputIds, other.inputIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * id.hashCode() + label) + Arrays.hashCode(inputIds);
    }

    @Override
    public String toString() {
        return "TokenizedExample[" + id + ", label=" + label + ", " + inputIds.length + " tokens]";
    }
}
