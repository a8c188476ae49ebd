package io.finetune.distilbert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncoderConfigTest {

    @TempDir
    Path temp;

    @Test
    void readsTheTinyConfigAndWritesItBack() {
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        EncoderConfig config = EncoderConfig.read(dir.resolve("config.json"));
        assertThat(config.dim()).isEqualTo(32);
        assertThat(config.nHeads()).isEqualTo(4);
        assertThat(config.labels()).containsExactly("NEGATIVE", "POSITIVE");
        assertThat(config.classifierDropout()).isEqualTo(0.2);
        assertThat(config.extra()).containsEntry("qa_dropout", 0.1);

        Path copy = temp.resolve("copy/config.json");
        config.withLabels(List.of("x", "y", "z")).write(copy);
        EncoderConfig reread = EncoderConfig.read(copy);
        assertThat(reread.labels()).containsExactly("x", "y", "z");
        assertThat(reread.withLabels(config.labels())).isEqualTo(config);
    }

    @Test
    void rejectsOtherModelsAndActivations() throws Exception {
        Path roberta = temp.resolve("roberta.json");
        Files.writeString(roberta, "{\"model_type\": \"roberta\", \"hidden_size\": 768}");
        assertThatThrownBy(() -> EncoderConfig.read(roberta))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model_type 'roberta'")
                .hasMessageContaining("[distilbert, bert]");
        Path relu = temp.resolve("relu.json");
        Files.writeString(relu, "{\"model_type\": \"distilbert\", \"activation\": \"relu\"}");
        assertThatThrownBy(() -> EncoderConfig.read(relu))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("activation 'relu'");
    }
}
