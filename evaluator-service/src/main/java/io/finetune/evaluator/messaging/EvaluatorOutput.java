package io.finetune.evaluator.messaging;

import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Where the evaluator's output goes. Each send completes when Kafka acknowledged it (acks=all), so a checkpoint's
 * chunk is only acknowledged once its result or dead letter is safe.
 */
@ApplicationScoped
public class EvaluatorOutput {
    private final MutinyEmitter<Record<String, String>> evaluations;
    private final MutinyEmitter<Record<String, String>> deadLetters;

    public EvaluatorOutput(@Channel(Channels.EVALUATIONS) MutinyEmitter<Record<String, String>> evaluations,
                           @Channel(Channels.DEAD_LETTERS) MutinyEmitter<Record<String, String>> deadLetters) {
        this.evaluations = evaluations;
        this.deadLetters = deadLetters;
    }

    /** Keyed by checkpoint id, as the topic's contract says. */
    public Uni<Void> send(EvaluationResult result) {
        return evaluations.send(Record.of(result.checkpointId(), Json.write(result)));
    }

    public Uni<Void> deadLetter(DeadLetter letter) {
        return deadLetters.send(Record.of(letter.dataset(), Json.write(letter)));
    }
}
