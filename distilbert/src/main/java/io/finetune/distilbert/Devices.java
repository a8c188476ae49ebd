package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Device choice: the first GPU when the PyTorch engine sees one, else the CPU. */
public final class Devices {

    private Devices() {}

    public static Device best() {
        return Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
