package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A model's parameters under their Hugging Face names: new ones initialised as transformers' {@code _init_weights}
 * does, or a checkpoint's, completed with a new head where transformers would add one.
 */
final class CheckpointWeights {
    private CheckpointWeights() {}

    /** Every parameter of {@code config}, freshly initialised from {@code random}. */
    static Map<String, NDArray> initialise(EncoderConfig config, NDManager manager, Random random) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        config.layout().shapes(config).forEach((name, shape) ->
                params.put(name, initialValue(manager, name, shape, config, random)));
        return params;
    }

    /**
     * The parameters of {@code config} from a safetensors file of any checkpoint of its family: a classification
     * checkpoint, or a base or pretraining one (unprefixed names, masked-LM or next-sentence heads), whose missing
     * pooler and classifier are initialised from {@code random}, as is a classifier whose size does not match
     * {@code newLabels}' count. Tensors the model does not use are freed.
     *
     * @param newLabels whether the caller chose the labels (a new task), so a classifier of another size is replaced
     */
    static Map<String, NDArray> load(Path weights, EncoderConfig config, boolean newLabels, NDManager manager,
                                     Random random) {
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("No model.safetensors in " + weights.getParent());
        }
        CheckpointLayout layout = config.layout();
        Map<String, NDArray> checkpoint = new LinkedHashMap<>();
        Safetensors.read(weights, manager).forEach((name, array) -> checkpoint.put(layout.canonicalName(name), array));
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : layout.shapes(config).entrySet()) {
            String name = e.getKey();
            Shape shape = e.getValue();
            NDArray found = checkpoint.remove(name);
            if (found != null && found.getShape().equals(shape)) {
                params.put(name, found);
            } else if (found == null && layout.initialisedWhenMissing(name)
                    || found != null && newLabels && layout.dependsOnLabels(name)) {
                if (found != null) {
                    found.close();
                }
                params.put(name, initialValue(manager, name, shape, config, random));
            } else if (found == null) {
                throw new IllegalArgumentException("Checkpoint " + weights + " has no tensor " + name
                        + " (expected shape " + shape + ")");
            } else {
                throw new IllegalArgumentException("Tensor " + name + " has shape " + found.getShape()
                        + " but the config requires " + shape);
            }
        }
        // Whatever is left (vocab_projector, cls.predictions, position_ids, ...) is not part of this model.
        checkpoint.values().forEach(NDArray::close);
        return params;
    }

    /** HF {@code _init_weights}: N(0, initializer_range) weights, zero biases, LayerNorm 1/0, zero padding row. */
    private static NDArray initialValue(NDManager manager, String name, Shape shape, EncoderConfig c, Random random) {
        boolean layerNorm = name.contains("LayerNorm") || name.contains("layer_norm");
        if (name.endsWith(".bias")) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        if (layerNorm) {
            return manager.ones(shape, DataType.FLOAT32);
        }
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * c.initializerRange());
        }
        boolean words = name.equals(c.layout().wordEmbeddings() + ".weight");
        if (words && c.padTokenId() >= 0 && c.padTokenId() < c.vocabSize()) {
            Arrays.fill(values, c.padTokenId() * c.dim(), (c.padTokenId() + 1) * c.dim(), 0f);
        }
        return manager.create(values, shape);
    }
}
