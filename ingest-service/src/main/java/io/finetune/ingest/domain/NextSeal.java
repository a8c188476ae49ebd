package io.finetune.ingest.domain;

/** What a seal of a dataset asked for now would be ({@link DatasetRegistry#nextSeal}), or why there is none. */
public sealed interface NextSeal {
    /**
     * @param number which seal of the dataset to make: 1 for an open dataset, the one a crash cut short, or one more
     *               than a seal whose preparation failed
     */
    record Allowed(int number) implements NextSeal {
    }

    /** @param detail why the dataset cannot be sealed now, and what to do instead */
    record Refused(String detail) implements NextSeal {
    }
}
