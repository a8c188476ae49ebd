package io.finetune.preprocess.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

/** The service's meters, named once (Prometheus: finetune_preprocess_records_total, ...). */
@ApplicationScoped
public class PreprocessMetrics {
    private final MeterRegistry meters;
    private final Counter records;
    private final Counter shards;

    public PreprocessMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.records = Counter.builder("finetune.preprocess.records").description("dataset records consumed")
                .register(meters);
        this.shards = Counter.builder("finetune.preprocess.shards").description("shards published and acknowledged")
                .register(meters);
    }

    public void recordConsumed() {
        records.increment();
    }

    public void shardPublished() {
        shards.increment();
    }

    public void examples(String split, int count) {
        meters.counter("finetune.preprocess.examples", "split", split).increment(count);
    }

    public void deadLetter(String reason) {
        meters.counter("finetune.preprocess.deadletters", "reason", reason).increment();
    }

    /** Timer of whole preparations, by outcome ("ready" or "failed"). */
    public Timer preparation(String outcome) {
        return Timer.builder("finetune.preprocess.preparation").tag("outcome", outcome)
                .description("time from end marker to published manifest").register(meters);
    }
}
