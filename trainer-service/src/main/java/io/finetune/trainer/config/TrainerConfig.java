package io.finetune.trainer.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;

@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {
    /** Checkpoints being written and unpacked bundled models live here. */
    @WithDefault("${java.io.tmpdir}/finetune/trainer")
    Path dataDir();

    /** Base model of jobs that name none: a bundled name, a directory or a Hugging Face id. */
    @WithDefault("distilbert-tiny")
    String defaultBaseModel();

    /** Progress events are published at most this often (every epoch end and checkpoint is published anyway). */
    @WithDefault("1000")
    long progressIntervalMillis();
}
