package io.finetune.distilbert;

import ai.djl.engine.Engine;

/**
 * The project's way into DJL's PyTorch engine: native preparations that must precede libtorch's loading
 * ({@link MklVendorCheck}) happen here, then DJL loads libtorch as usual on the engine's first use.
 */
public final class Torch {

    private Torch() {}

    public static Engine engine() {
        MklVendorCheck.answerBeforeTorchLoads();
        return Engine.getInstance();
    }
}
