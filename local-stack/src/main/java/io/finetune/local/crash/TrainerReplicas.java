package io.finetune.local.crash;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.local.LocalStack;
import io.finetune.local.PipelineClient;
import io.finetune.local.ServiceProcess;

import java.util.List;
import java.util.Optional;

/**
 * Finds the trainer replica that holds a job. Each replica answers {@code GET /jobs/{id}} only for the jobs it took
 * from the jobs topic (docs/training.md), so with several replicas the one that answers 200 is the one running it.
 */
final class TrainerReplicas {
    /** The replica that took the job, and the job's status as it answered. */
    record Holder(ServiceProcess trainer, JsonNode status) {
    }

    /** The replica holding {@code jobId}, if one answers for it now; each other replica's answer goes to misses. */
    static Optional<Holder> holding(LocalStack stack, String jobId, List<String> misses) {
        for (ServiceProcess trainer : stack.instances("trainer-service")) {
            try {
                PipelineClient.Answer answer = new PipelineClient(service -> trainer.url(), stack.apiKey())
                        .get("trainer-service", "/jobs/" + jobId);
                if (answer.status() == 200) {
                    return Optional.of(new Holder(trainer, answer.body()));
                }
                misses.add(trainer.name() + ": HTTP " + answer.status());
            } catch (RuntimeException unreachable) {
                misses.add(trainer.name() + ": " + unreachable.getMessage()); // restarting
            }
        }
        return Optional.empty();
    }

    private TrainerReplicas() {
    }
}
