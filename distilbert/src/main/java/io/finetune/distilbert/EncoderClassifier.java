package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hugging Face's {@code DistilBertForSequenceClassification}, computed with DJL NDArray operations on the PyTorch
 * engine. Parameters are plain NDArrays kept under their exact Hugging Face names, so checkpoints load and save
 * without any renaming and gradients can be compared name by name.
 *
 * <p>Intermediate arrays of {@link #logits} are created in the manager of the input ids, so a caller that creates
 * its inputs in a per-batch sub-manager frees everything by closing it. Parameters are only updated in place while
 * PyTorch's grad mode is off (outside a {@code GradientCollector}), which is what DJL does by default.
 */
public final class EncoderClassifier implements AutoCloseable {

    static final String PREFIX = "distilbert.";
    private static final float LAYER_NORM_EPS = 1e-12f;
    private static final List<String> TOKENIZER_FILES =
            List.of("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json");

    private final EncoderConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;

    private EncoderClassifier(EncoderConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(parameters);
        parameters.values().forEach(p -> p.setRequiresGradient(true));
    }

    // ---------------------------------------------------------------- construction

    /** A new model with Hugging Face's initialisation ({@code _init_weights}), reproducible from {@code seed}. */
    public static EncoderClassifier create(EncoderConfig config, long seed, Device device) {
        NDManager manager = Torch.engine().newBaseManager(device);
        try {
            Random random = new Random(seed);
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (Map.Entry<String, Shape> e : expectedShapes(config).entrySet()) {
                params.put(e.getKey(), initialValue(manager, e.getKey(), e.getValue(), config, random));
            }
            return new EncoderClassifier(config, manager, params);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads a Hugging Face directory ({@code config.json} + {@code model.safetensors}). A base or masked-LM checkpoint
     * (keys without the {@code distilbert.} prefix, {@code vocab_*} head) gets freshly initialised classifier heads,
     * as does a classification checkpoint whose head does not match the requested number of labels.
     *
     * @param labels class names, or {@code null} to keep the checkpoint's {@code id2label}
     */
    public static EncoderClassifier load(Path hfDir, List<String> labels, Device device) {
        return load(hfDir, labels, device, 42);
    }

    /** As {@link #load(Path, List, Device)}, with the seed used for any newly initialised head. */
    public static EncoderClassifier load(Path hfDir, List<String> labels, Device device, long headSeed) {
        EncoderConfig config = EncoderConfig.read(hfDir.resolve("config.json"));
        if (labels != null) {
            config = config.withLabels(labels);
        }
        Path weights = hfDir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("No model.safetensors in " + hfDir);
        }
        NDManager manager = Torch.engine().newBaseManager(device);
        try {
            Map<String, NDArray> raw = Safetensors.read(weights, manager);
            Map<String, NDArray> checkpoint = new LinkedHashMap<>();
            raw.forEach((name, array) -> checkpoint.put(canonicalName(name), array));
            Map<String, NDArray> params = new LinkedHashMap<>();
            Random random = new Random(headSeed);
            for (Map.Entry<String, Shape> e : expectedShapes(config).entrySet()) {
                String name = e.getKey();
                NDArray found = checkpoint.remove(name);
                if (isHead(name) && !matches(found, e.getValue())) {
                    // Hugging Face initialises a missing or size-mismatched classification head.
                    boolean mismatchAllowed = found == null || labels != null;
                    if (!mismatchAllowed) {
                        throw shapeMismatch(name, e.getValue(), found);
                    }
                    params.put(name, initialValue(manager, name, e.getValue(), config, random));
                } else if (found == null) {
                    throw new IllegalArgumentException("Checkpoint " + weights + " has no tensor " + name
                            + " (expected shape " + e.getValue() + ")");
                } else if (!found.getShape().equals(e.getValue())) {
                    throw shapeMismatch(name, e.getValue(), found);
                } else {
                    params.put(name, found);
                }
            }
            // Whatever is left (vocab_transform, vocab_layer_norm, vocab_projector, ...) is not part of this model.
            checkpoint.values().forEach(NDArray::close);
            return new EncoderClassifier(config, manager, params);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static IllegalArgumentException shapeMismatch(String name, Shape expected, NDArray found) {
        return new IllegalArgumentException("Tensor " + name + " has shape " + found.getShape()
                + " but the config requires " + expected);
    }

    private static boolean matches(NDArray array, Shape shape) {
        return array != null && array.getShape().equals(shape);
    }

    private static boolean isHead(String name) {
        return name.startsWith("pre_classifier.") || name.startsWith("classifier.");
    }

    /** Base checkpoints ({@code DistilBertModel}) store {@code embeddings.*} and {@code transformer.*} unprefixed. */
    private static String canonicalName(String name) {
        return name.startsWith("embeddings.") || name.startsWith("transformer.") ? PREFIX + name : name;
    }

    /** Every parameter's Hugging Face name and shape, in the order of the PyTorch state dict. */
    public static Map<String, Shape> expectedShapes(EncoderConfig c) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        long d = c.dim();
        String emb = PREFIX + "embeddings.";
        shapes.put(emb + "word_embeddings.weight", new Shape(c.vocabSize(), d));
        shapes.put(emb + "position_embeddings.weight", new Shape(c.maxPositionEmbeddings(), d));
        shapes.put(emb + "LayerNorm.weight", new Shape(d));
        shapes.put(emb + "LayerNorm.bias", new Shape(d));
        for (int i = 0; i < c.nLayers(); i++) {
            String l = layerPrefix(i);
            for (String lin : List.of("q_lin", "k_lin", "v_lin", "out_lin")) {
                linear(shapes, l + "attention." + lin, d, d);
            }
            norm(shapes, l + "sa_layer_norm", d);
            linear(shapes, l + "ffn.lin1", c.hiddenDim(), d);
            linear(shapes, l + "ffn.lin2", d, c.hiddenDim());
            norm(shapes, l + "output_layer_norm", d);
        }
        linear(shapes, "pre_classifier", d, d);
        linear(shapes, "classifier", c.numLabels(), d);
        return shapes;
    }

    private static String layerPrefix(int i) {
        return PREFIX + "transformer.layer." + i + ".";
    }

    private static void linear(Map<String, Shape> shapes, String name, long out, long in) {
        shapes.put(name + ".weight", new Shape(out, in));
        shapes.put(name + ".bias", new Shape(out));
    }

    private static void norm(Map<String, Shape> shapes, String name, long d) {
        shapes.put(name + ".weight", new Shape(d));
        shapes.put(name + ".bias", new Shape(d));
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
        if (name.endsWith("word_embeddings.weight") && c.padTokenId() >= 0 && c.padTokenId() < c.vocabSize()) {
            java.util.Arrays.fill(values, c.padTokenId() * c.dim(), (c.padTokenId() + 1) * c.dim(), 0f);
        }
        return manager.create(values, shape);
    }

    // ---------------------------------------------------------------- forward

    /**
     * Classification logits [B, numLabels].
     *
     * @param inputIds int64 [B, T]
     * @param attentionMask [B, T], 1 for real tokens and 0 for padding (any numeric type)
     * @param training dropout on when true
     */
    public NDArray logits(NDArray inputIds, NDArray attentionMask, boolean training) {
        NDArray hidden = hiddenStates(inputIds, attentionMask, training);
        NDArray cls = hidden.get(":, 0, :");
        NDArrayEx ex = cls.getNDArrayInternal();
        NDArray pooled = ex.linear(cls, p("pre_classifier.weight"), p("pre_classifier.bias")).singletonOrThrow();
        pooled = pooled.getNDArrayInternal().relu();
        pooled = dropout(pooled, config.seqClassifDropout(), training);
        return pooled.getNDArrayInternal()
                .linear(pooled, p("classifier.weight"), p("classifier.bias")).singletonOrThrow();
    }

    /** The last layer's hidden state at position 0 ([CLS]), [B, dim]. */
    public NDArray clsHiddenState(NDArray inputIds, NDArray attentionMask, boolean training) {
        return hiddenStates(inputIds, attentionMask, training).get(":, 0, :");
    }

    /** The last layer's hidden states [B, T, dim]. */
    public NDArray hiddenStates(NDArray inputIds, NDArray attentionMask, boolean training) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("input ids must be [batch, length], got " + shape);
        }
        if (!attentionMask.getShape().equals(shape)) {
            throw new IllegalArgumentException(
                    "attention mask shape " + attentionMask.getShape() + " differs from input ids " + shape);
        }
        long length = shape.get(1);
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("Sequence length " + length + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        NDArray ids = inputIds.toType(DataType.INT64, false);
        NDArray x = embeddings(ids, training);
        NDArray maskBias = attentionBias(attentionMask, shape.get(0), length);
        // √headDim, the queries' divisor, as an array of the batch's manager rather than a Java number: DJL turns
        // a number into a temporary tensor over a direct buffer and closes it right after the op, while autograd
        // keeps it for the backward pass; once the garbage collector frees that buffer, backward reads freed memory
        // (GarbageCollectionTest). One array per forward serves all layers.
        NDArray scale = ids.getManager().create((float) Math.sqrt(config.headDim()));
        for (int i = 0; i < config.nLayers(); i++) {
            x = transformerBlock(x, maskBias, scale, layerPrefix(i), training);
        }
        return x;
    }

    /**
     * The attention mask as an additive bias [B, 1, 1, T] built once for all layers: float32's lowest value where the
     * key is padding, 0 elsewhere; {@code null} when no key is padding (full-length batches skip masking entirely).
     * Adding it broadcasts over heads and queries and gives exactly HF's {@code masked_fill(mask, finfo.min)}: a
     * score plus {@code -Float.MAX_VALUE} rounds to {@code -Float.MAX_VALUE} for any score below 1e31, and the
     * softmax gradient at those positions is zero either way. Masking per layer with {@code where} needed a full
     * [B, H, T, T] mask and fill tensor in every layer, because DJL's {@code where} does not broadcast.
     */
    private static NDArray attentionBias(NDArray attentionMask, long batch, long length) {
        NDArray keyIsPadding = attentionMask.eq(0);
        if (!keyIsPadding.any().getBoolean()) {
            return null;
        }
        return keyIsPadding.toType(DataType.FLOAT32, false).muli(-Float.MAX_VALUE).reshape(batch, 1, 1, length);
    }

    private NDArray embeddings(NDArray ids, boolean training) {
        NDManager m = ids.getManager();
        NDArray words = ids.getNDArrayInternal()
                .embedding(ids, p(PREFIX + "embeddings.word_embeddings.weight"), SparseFormat.DENSE).singletonOrThrow();
        // nn.Embedding(padding_idx=pad) gives the padding row no gradient: take its value without history there.
        // Batches without a padding token (full-length ones) skip the [B, T, dim] mask and select.
        NDArray isPad = ids.eq(config.padTokenId());
        if (isPad.any().getBoolean()) {
            words = NDArrays.where(isPad.expandDims(-1).broadcast(words.getShape()), words.stopGradient(), words);
        }
        NDArray positionIds = m.arange(0, (int) ids.getShape().get(1)).toType(DataType.INT64, false);
        NDArray positions = positionIds.getNDArrayInternal()
                .embedding(positionIds, p(PREFIX + "embeddings.position_embeddings.weight"), SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray x = words.add(positions);
        x = layerNorm(x, PREFIX + "embeddings.LayerNorm");
        return dropout(x, config.dropout(), training);
    }

    private NDArray transformerBlock(NDArray x, NDArray maskBias, NDArray scale, String prefix, boolean training) {
        NDArray attention = selfAttention(x, maskBias, scale, prefix + "attention.", training);
        NDArray h = layerNorm(attention.add(x), prefix + "sa_layer_norm");
        NDArray ffn = linear(h, prefix + "ffn.lin1");
        ffn = ffn.getNDArrayInternal().gelu(); // torch.nn.functional.gelu: exact (erf) form
        ffn = linear(ffn, prefix + "ffn.lin2");
        ffn = dropout(ffn, config.dropout(), training);
        return layerNorm(ffn.add(h), prefix + "output_layer_norm");
    }

    private NDArray selfAttention(NDArray x, NDArray maskBias, NDArray scale, String prefix, boolean training) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        int heads = config.nHeads();
        int headDim = config.headDim();
        NDArray q = splitHeads(linear(x, prefix + "q_lin"), batch, length, heads, headDim).div(scale);
        NDArray k = splitHeads(linear(x, prefix + "k_lin"), batch, length, heads, headDim);
        NDArray v = splitHeads(linear(x, prefix + "v_lin"), batch, length, heads, headDim);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // [B, H, T, T]
        if (maskBias != null) {
            scores = scores.add(maskBias);
        }
        NDArray weights = scores.softmax(-1);
        weights = dropout(weights, config.attentionDropout(), training);
        NDArray context = weights.matMul(v) // [B, H, T, headDim]
                .transpose(0, 2, 1, 3)
                .reshape(batch, length, (long) heads * headDim);
        return linear(context, prefix + "out_lin");
    }

    private static NDArray splitHeads(NDArray x, long batch, long length, int heads, int headDim) {
        return x.reshape(batch, length, heads, headDim).transpose(0, 2, 1, 3);
    }

    private NDArray linear(NDArray x, String name) {
        return x.getNDArrayInternal().linear(x, p(name + ".weight"), p(name + ".bias")).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, String name) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(config.dim()), p(name + ".weight"), p(name + ".bias"), LAYER_NORM_EPS)
                .singletonOrThrow();
    }

    private static NDArray dropout(NDArray x, double rate, boolean training) {
        if (!training || rate <= 0) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, (float) rate, true).singletonOrThrow();
    }

    private NDArray p(String name) {
        NDArray array = parameters.get(name);
        if (array == null) {
            throw new IllegalStateException("No parameter " + name);
        }
        return array;
    }

    // ---------------------------------------------------------------- persistence

    /** Writes {@code config.json} and {@code model.safetensors} (float32, HF names), loadable by {@code from_pretrained}. */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir, e);
        }
        config.write(dir.resolve("config.json"));
        Safetensors.write(dir.resolve("model.safetensors"), parameters);
    }

    /** Copies the tokenizer files that exist in {@code from} (tokenizer.json, vocab.txt, ...) into {@code to}. */
    public static void copyTokenizerFiles(Path from, Path to) {
        try {
            Files.createDirectories(to);
            for (String name : TOKENIZER_FILES) {
                Path source = from.resolve(name);
                if (Files.isRegularFile(source)) {
                    Files.copy(source, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy tokenizer files from " + from + " to " + to, e);
        }
    }

    // ---------------------------------------------------------------- accessors

    public EncoderConfig config() {
        return config;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Parameters by Hugging Face name, in state-dict order. The arrays are live: updating them changes the model. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** A sub-manager of the model's manager on its device, for the arrays of one batch; close it after the batch. */
    public NDManager newBatchManager() {
        return manager.newSubManager();
    }

    /** The number of arrays the model's manager holds; stays constant across batches when nothing leaks. */
    int managedArrayCount() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
