package io.finetune.trainer.training;

import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.TrainingConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The memory estimate follows the model's shape and the job's settings, term by term. */
class MemoryEstimateTest {
    private static final List<String> LABELS = List.of("negative", "positive");
    /** distilbert-base-uncased with a two-class head. */
    private static final EncoderConfig BASE = EncoderConfig.of(768, 3072, 6, 12, 30522, 512, LABELS);
    /** The bundled distilbert-tiny (../shared/fixtures/distilbert-tiny/config.json). */
    private static final EncoderConfig TINY = EncoderConfig.of(32, 64, 2, 4, 180, 64, LABELS);

    @Test
    void countsTheParametersHuggingFaceCountsForDistilbertBase() {
        // DistilBertForSequenceClassification.from_pretrained("distilbert-base-uncased", num_labels=2).num_parameters()
        assertThat(MemoryEstimate.parameters(BASE)).isEqualTo(66_955_010L);
    }

    @Test
    void weightsGradientsAndAdamMomentsAreFourFourAndEightBytesAParameter() {
        MemoryEstimate estimate = MemoryEstimate.of(BASE, TrainingConfig.defaults());
        assertThat(estimate.weights()).isEqualTo(4 * 66_955_010L);
        assertThat(estimate.gradients()).isEqualTo(4 * 66_955_010L);
        assertThat(estimate.optimizer()).isEqualTo(8 * 66_955_010L);
    }

    @Test
    void frozenEmbeddingsAndLayersHaveNoGradientsNorMoments() {
        TrainingConfig frozen = TrainingConfig.defaults().withFreezeEmbeddings(true).withFreezeLayers(6);
        MemoryEstimate estimate = MemoryEstimate.of(BASE, frozen);
        long head = 768L * 768 + 768 + 768 * 2 + 2;
        assertThat(estimate.weights()).isEqualTo(4 * 66_955_010L);
        assertThat(estimate.gradients()).isEqualTo(4 * head);
        assertThat(estimate.optimizer()).isEqualTo(8 * head);
    }

    @Test
    void activationsAreTheCountedTensorsOfEachLayerTimesTheMeasuredFactor() {
        TrainingConfig settings = TrainingConfig.defaults().withBatchSize(16).withMaxLength(64);
        // per layer: b*s*(34h + 8f) + 9*a*s^2*b = 16*64*(34*32 + 8*64) + 9*4*64*64*16
        long perLayer = 16L * 64 * (34 * 32 + 8 * 64) + 9L * 4 * 64 * 64 * 16;
        assertThat(MemoryEstimate.of(TINY, settings).activations())
                .isEqualTo((long) Math.ceil(perLayer * 2 * MemoryEstimate.ALLOCATOR_FACTOR));
    }

    @Test
    void activationsGrowLinearlyWithTheBatchAndFasterThanLinearlyWithTheLength() {
        TrainingConfig settings = TrainingConfig.defaults().withBatchSize(32).withMaxLength(128);
        long base = MemoryEstimate.of(BASE, settings).activations();
        assertThat((double) MemoryEstimate.of(BASE, settings.withBatchSize(64)).activations()).isCloseTo(2.0 * base,
                org.assertj.core.data.Offset.offset(2.0));
        assertThat(MemoryEstimate.of(BASE, settings.withMaxLength(256)).activations()).isGreaterThan(2 * base);
    }

    @Test
    void distilbertBaseAtTheLargestBatchNeedsFarMoreThanAnyTrainerHas() {
        TrainingConfig settings = TrainingConfig.defaults().withBatchSize(4096).withMaxLength(512);
        MemoryEstimate estimate = MemoryEstimate.of(BASE, settings);
        assertThat(estimate.total()).isGreaterThan(1L << 40); // over a TiB: refused on any machine
        assertThat(estimate.describe()).startsWith(MemoryEstimate.describe(estimate.total()) + " (weights 256 MiB,");
    }
}
