package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A copy of the weights (on the model's device) for restoring the best evaluation's weights at the end. */
final class WeightSnapshot implements AutoCloseable {
    private final EncoderClassifier model;
    private final NDManager manager;
    private final Map<String, NDArray> copies = new LinkedHashMap<>();

    WeightSnapshot(EncoderClassifier model) {
        this.model = model;
        this.manager = model.newBatchManager();
    }

    void capture() {
        clear();
        model.parameters().forEach((name, p) -> {
            NDArray copy = p.duplicate();
            copy.attach(manager);
            copies.put(name, copy);
        });
    }

    boolean captured() {
        return !copies.isEmpty();
    }

    /** Copies the snapshot into the model's parameters. */
    void restore() {
        copyInto(model, copies);
    }

    void write(Path file) {
        Safetensors.write(file, copies);
    }

    void read(Path file) {
        clear();
        copies.putAll(Safetensors.read(file, manager));
    }

    /** Overwrites the model's parameters in place (they stay the arrays the model and optimizer hold). */
    static void copyInto(EncoderClassifier model, Map<String, NDArray> values) {
        model.parameters().forEach((name, p) -> {
            NDArray value = values.get(name);
            if (value == null || !value.getShape().equals(p.getShape())) {
                throw new IllegalArgumentException("saved weights have no tensor of shape " + p.getShape()
                        + " for " + name);
            }
            p.muli(0).addi(value);
        });
    }

    private void clear() {
        copies.values().forEach(NDArray::close);
        copies.clear();
    }

    @Override
    public void close() {
        manager.close();
    }
}
