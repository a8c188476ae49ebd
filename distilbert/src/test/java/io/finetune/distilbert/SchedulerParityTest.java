package io.finetune.distilbert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every learning-rate schedule against {@code transformers.get_scheduler} itself, step for step: the rate each
 * optimizer update uses, with warmup given in steps and as a ratio. Runs where {@code FINETUNE_TRANSFORMERS_PYTHON}
 * names a Python with transformers (bin/transformers-venv; CI sets it), like {@link TransformersParityTest}.
 */
class SchedulerParityTest {
    private static final String SCRIPT = """
            import json, math, sys, torch
            from transformers import get_scheduler
            total, lr = int(sys.argv[1]), float(sys.argv[2])
            out = {}
            for kind in sys.argv[3].split(","):
                for warmup, ratio in ((0, 0.0), (5, 0.0), (0, 0.15)):
                    # TrainingArguments.get_warmup_steps: steps above 0 win over the ratio.
                    steps = warmup if warmup > 0 else math.ceil(total * ratio)
                    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
                    sched = get_scheduler(kind, opt, num_warmup_steps=steps, num_training_steps=total)
                    rates = []
                    for _ in range(total):
                        rates.append(sched.get_last_lr()[0])
                        opt.step()
                        sched.step()
                    out[f"{kind}/{warmup}/{ratio}"] = rates
            print(json.dumps(out))
            """;

    @Test
    void everyScheduleMatchesTransformersStepForStep() throws Exception {
        String configured = System.getenv("FINETUNE_TRANSFORMERS_PYTHON");
        assumeTrue(configured != null && !configured.isBlank(), "FINETUNE_TRANSFORMERS_PYTHON is not set");
        long total = 37;
        JsonNode reference = run(configured, total, 3e-4, LearningRateSchedule.Type.names().replace(", ", ","));
        for (LearningRateSchedule.Type type : LearningRateSchedule.Type.values()) {
            for (long[] warmup : new long[][] {{0, 0}, {5, 0}, {0, 15}}) { // steps, ratio in percent
                double ratio = warmup[1] / 100.0;
                JsonNode expected = reference.get(type.huggingFaceName() + "/" + warmup[0] + "/" + ratio);
                LearningRateSchedule ours = LearningRateSchedule.of(type, 3e-4, warmup[0], ratio, total);
                for (int step = 0; step < total; step++) {
                    assertThat(ours.learningRate(step)).as("%s, warmup %s, step %d", type, warmup[0] + "/" + ratio,
                            step).isCloseTo(expected.get(step).asDouble(), within(1e-15));
                }
            }
        }
    }

    private static JsonNode run(String python, long total, double lr, String kinds) throws Exception {
        Process process = new ProcessBuilder(python, "-c", SCRIPT, String.valueOf(total), String.valueOf(lr), kinds)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isZero();
        String[] lines = out.strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }
}
