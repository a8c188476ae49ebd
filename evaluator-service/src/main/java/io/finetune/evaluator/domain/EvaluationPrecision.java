package io.finetune.evaluator.domain;

import ai.djl.Device;
import io.finetune.distilbert.Autocast;
import io.finetune.distilbert.Precision;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The precision evaluations and predictions run in ({@code evaluator.precision}), checked against the evaluator's
 * device once, at start-up. libtorch would run a 16-bit type even where the CPU has no units for it, emulated and
 * slower than float32, so such a setting stops the service with the reason instead of being half-honoured.
 */
@Startup
@ApplicationScoped
public class EvaluationPrecision {
    private static final Logger LOG = Logger.getLogger(EvaluationPrecision.class);

    private final Precision precision;

    @Inject
    public EvaluationPrecision(EvaluatorConfig config) {
        this(config.precision(), () -> Predictions.device(config), Autocast::unsupportedReason);
    }

    /**
     * @param device            the device evaluations run on; resolved only for a 16-bit precision, since that loads
     *                          libtorch, which a float32 evaluator can leave to its first checkpoint
     * @param unsupportedReason why a precision should not run on a device, empty when it can
     * @throws IllegalStateException when {@code precision} cannot run on the device, with the reason
     */
    EvaluationPrecision(Precision precision, Supplier<Device> device,
                        BiFunction<Precision, Device, Optional<String>> unsupportedReason) {
        if (precision != Precision.FP32) {
            Device on = device.get();
            Optional<String> reason = unsupportedReason.apply(precision, on);
            if (reason.isPresent()) {
                throw new IllegalStateException("evaluator.precision=" + precision.flag() + " cannot run on "
                        + on + ": " + reason.get() + ". Set evaluator.precision=fp32 to evaluate in float32 here.");
            }
            LOG.infof("checkpoints are scored and /predict answers in %s on %s", precision.flag(), on);
        }
        this.precision = precision;
    }

    public Precision get() {
        return precision;
    }

    /** As {@link io.finetune.contracts.EvaluationResult#precision()} records it. */
    public String flag() {
        return precision.flag();
    }
}
