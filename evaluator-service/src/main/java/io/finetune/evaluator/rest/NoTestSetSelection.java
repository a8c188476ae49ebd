package io.finetune.evaluator.rest;

import io.finetune.service.rest.Problem;
import jakarta.ws.rs.core.Response;

/**
 * The answer to a client that still asks for a checkpoint chosen by a test metric ({@code ?metric=} of
 * {@code /jobs/{jobId}/best} and {@code /compare}, removed): refused with the reason, rather than ignored, so nobody
 * reads the trainer's choice as the best by the metric they named.
 */
final class NoTestSetSelection {
    private NoTestSetSelection() {
    }

    static void refuse(String metric) {
        if (metric != null) {
            throw Problem.of(Response.Status.BAD_REQUEST, "no checkpoint is chosen by a test metric ('" + metric
                    + "'): a choice made on the test split makes its figures optimistic. The best checkpoint is the "
                    + "trainer's, by metricForBestModel on the validation split; set that on the training job");
        }
    }
}
