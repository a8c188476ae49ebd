package io.finetune.distilbert;

import ai.djl.Device;

/** Device choice: the first GPU when the PyTorch engine sees one, else the CPU. */
public final class Devices {

    private Devices() {}

    public static Device best() {
        return Torch.engine().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }
}
