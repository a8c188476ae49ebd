package io.finetune.ingest.domain;

import io.finetune.contracts.Json;
import io.finetune.contracts.PreprocessOptions;

import java.util.Objects;

/** What a seal of a dataset asked for now would be ({@link DatasetRegistry#nextSeal}), or why there is none. */
public sealed interface NextSeal {
    /**
     * @param number which seal of the dataset to make: 1 for an open dataset, the one a crash cut short, or one more
     *               than a seal whose preparation failed (or, of a continuous dataset, than a prepared version)
     * @param fixed  of a continuous dataset with a prepared version: the options that version was sealed with, which
     *               every later version keeps; null while the options are free
     */
    record Allowed(int number, PreprocessOptions fixed) implements NextSeal {
        public Allowed(int number) {
            this(number, null);
        }

        /** The options the END marker carries: the fixed ones when the seal gives none ({@code {}}), else its own. */
        public PreprocessOptions options(PreprocessOptions given) {
            return fixed != null && isEmpty(given) ? fixed : given;
        }

        /** Why a seal with {@code given} options is refused (they change fixed ones), or null when it is not. */
        public String conflict(String dataset, PreprocessOptions given) {
            if (fixed == null || isEmpty(given) || Objects.equals(given, fixed)) {
                return null;
            }
            return "dataset '" + dataset + "' is continuous and its prepared versions were made with the options "
                    + Json.write(fixed) + ": version " + number + " must be cleaned, split and tokenized the same"
                    + " way, so that its test split and its evaluations stay comparable. Seal with {} (or those"
                    + " options); to prepare the records differently, create a new dataset";
        }

        private static boolean isEmpty(PreprocessOptions given) {
            return given == null || given.equals(PreprocessOptions.defaults());
        }
    }

    /** @param detail why the dataset cannot be sealed now, and what to do instead */
    record Refused(String detail) implements NextSeal {
    }
}
