package io.finetune.trainer.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobEventsTest {
    @Test
    void theStartedEventNamesTheThreadsATrainingOnTheCpuRunsOn() {
        assertThat(JobEvents.startedOn("cpu()", 8)).isEqualTo("training on cpu() with 8 PyTorch threads");
        assertThat(JobEvents.startedOn("cpu()", 1)).isEqualTo("training on cpu() with 1 PyTorch thread");
        assertThat(JobEvents.startedOn("gpu(0)", 8)).isEqualTo("training on gpu(0)");
    }
}
