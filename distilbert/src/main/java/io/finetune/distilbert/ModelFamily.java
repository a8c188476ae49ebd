package io.finetune.distilbert;

import java.util.Arrays;

/**
 * The checkpoint families this encoder reads and writes, by their Hugging Face {@code model_type}. They share one
 * forward pass ({@link EncoderClassifier}); what differs is each family's {@link CheckpointLayout}.
 */
public enum ModelFamily {
    DISTILBERT("distilbert"),
    BERT("bert");

    private final String modelType;

    ModelFamily(String modelType) {
        this.modelType = modelType;
    }

    /** The {@code model_type} of {@code config.json}. */
    public String modelType() {
        return modelType;
    }

    public CheckpointLayout layout() {
        return switch (this) {
            case DISTILBERT -> DistilBertLayout.INSTANCE;
            case BERT -> BertLayout.INSTANCE;
        };
    }

    static ModelFamily ofModelType(Object modelType, String source) {
        for (ModelFamily family : values()) {
            if (family.modelType.equals(modelType)) {
                return family;
            }
        }
        throw new IllegalArgumentException("Unsupported model_type '" + modelType + "' in " + source + ": expected one of "
                + Arrays.stream(values()).map(ModelFamily::modelType).toList());
    }
}
