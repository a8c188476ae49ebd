package io.finetune.evaluator.serving;

import io.micrometer.core.instrument.MeterRegistry;

import java.util.Optional;

/** ServingMeters without an evaluation store, for tests of the serving loop outside Quarkus. */
public final class TestServingMeters {
    private TestServingMeters() {
    }

    public static ServingMeters in(MeterRegistry registry) {
        return new ServingMeters(registry, checkpoint -> Optional.empty());
    }
}
