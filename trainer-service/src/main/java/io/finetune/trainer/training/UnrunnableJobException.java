package io.finetune.trainer.training;

/**
 * Why a job cannot run, in words for whoever submitted it: its dataset, base model or settings, never a fault of the
 * trainer. The REST check answers it as 422 before the job is queued; a job that arrives over Kafka ends FAILED with
 * the same message.
 */
public final class UnrunnableJobException extends RuntimeException {
    UnrunnableJobException(IllegalArgumentException reason) {
        super(reason.getMessage(), reason);
    }
}
