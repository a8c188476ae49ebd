package io.finetune.distilbert.onnx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImportModelCliTest {
    @TempDir
    Path tmp;

    @Test
    void importsAnOnnxFileWithItsTokenizerAndReportsWhatWasMapped() throws Exception {
        Path onnx = tmp.resolve("model.onnx");
        Files.write(onnx, TinyBertExport.model().toByteArray());
        Path tokenizer = Files.write(tmp.resolve("vocab-tokenizer.json"), TinyBertExport.tokenizerJson());
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        ImportModelCli.run(new String[] {onnx.toString(), tmp.resolve("out").toString(), "--tokenizer",
                tokenizer.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(tmp.resolve("out/model.safetensors")).exists();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("2 layers, hidden 8, 2 heads, feed-forward 16")
                .contains("12 linear weights (found by graph structure, transposed to [out, in])")
                .contains("not written: [embeddings.position_ids]");
    }

    @Test
    void importsTheOnlyExportOfAJar() throws Exception {
        Path jar = tmp.resolve("some-embeddings-1.0.jar");
        TinyBertExport.writeJar(jar, TinyBertExport.model().toByteArray(), "some.onnx", "some-tokenizer.json");

        ImportModelCli.run(new String[] {jar.toString(), tmp.resolve("out").toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        assertThat(tmp.resolve("out/config.json")).exists();
        assertThat(tmp.resolve("out/tokenizer.json")).exists();
    }

    @Test
    void refusesAnExistingDirectoryAndAnOnnxFileWithoutTokenizer() throws Exception {
        Path onnx = Files.write(tmp.resolve("model.onnx"), TinyBertExport.model().toByteArray());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ImportModelCli.run(new String[] {onnx.toString(), tmp.toString()}, quiet))
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> ImportModelCli.run(new String[] {onnx.toString(), tmp.resolve("out").toString()}, quiet))
                .hasMessageContaining("--tokenizer");
        assertThatThrownBy(() -> ImportModelCli.run(new String[] {"e5-small-v2-q", tmp.resolve("out").toString()}, quiet))
                .hasMessageContaining("int8-quantized").hasMessageContaining("Use 'e5-small-v2'");
    }
}
