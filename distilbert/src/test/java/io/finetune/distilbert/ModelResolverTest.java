package io.finetune.distilbert;

import io.finetune.distilbert.hub.LocalHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelResolverTest {
    @TempDir
    Path tmp;

    @Test
    void unpacksBundledModels() {
        Path dir = new ModelResolver(tmp.resolve("bundled"), Map.of()).resolve(BundledModels.DEMO_MODEL);
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("model.safetensors")).exists();
    }

    @Test
    void usesADirectoryAsItIs() {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("my-model"));
        assertThat(new ModelResolver(tmp, Map.of()).resolve(model.toString())).isEqualTo(model);
    }

    @Test
    void findsTheSnapshotOfAHuggingFaceCacheThroughRefsMain() throws Exception {
        Path hub = tmp.resolve("hf-home").resolve("hub");
        Path repo = hub.resolve("models--distilbert--distilbert-base-uncased");
        Files.createDirectories(repo.resolve("snapshots/old"));
        Path pinned = BundledModels.extract(BundledModels.DEMO_MODEL, repo.resolve("snapshots/abc123"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "abc123\n");

        Path found = new ModelResolver(tmp, Map.of("HF_HOME", tmp.resolve("hf-home").toString()))
                .resolve("distilbert/distilbert-base-uncased");
        assertThat(found).isEqualTo(pinned);
        // HF_HUB_CACHE wins over HF_HOME, as in huggingface_hub
        assertThat(new ModelResolver(tmp, Map.of("HF_HUB_CACHE", hub.toString(), "HF_HOME", "/nowhere"))
                .resolve("distilbert/distilbert-base-uncased")).isEqualTo(pinned);
    }

    @Test
    void aMissingModelIsAClearErrorNamingWhereItLooked() {
        ModelResolver resolver = new ModelResolver(tmp, Map.of("HF_HUB_CACHE", tmp.resolve("hub").toString()), true);
        assertThatThrownBy(() -> resolver.resolve("distilbert-base-uncased"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distilbert-base-uncased")
                .hasMessageContaining("models--distilbert-base-uncased")
                .hasMessageContaining("huggingface-cli download")
                .hasMessageContaining("offline");
    }

    @Test
    void downloadsAMissingModelFromTheHubOnceThenUsesTheCache() throws Exception {
        try (LocalHub hub = new LocalHub("acme/tiny", BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("src")))) {
            Map<String, String> env = Map.of("HF_HOME", tmp.resolve("hf").toString(),
                    "HF_ENDPOINT", hub.endpoint().toString());
            Path dir = new ModelResolver(tmp, env, false).resolve("acme/tiny");
            assertThat(dir).isEqualTo(tmp.resolve("hf/hub/models--acme--tiny/snapshots/" + LocalHub.COMMIT));
            try (EncoderClassifier model = EncoderClassifier.load(dir, null, ai.djl.Device.cpu())) {
                assertThat(model.config().labels()).containsExactly("NEGATIVE", "POSITIVE");
            }
            int calls = hub.requests.size();
            assertThat(calls).isPositive();
            assertThat(new ModelResolver(tmp, env, false).resolve("acme/tiny")).isEqualTo(dir);
            assertThat(hub.requests).hasSize(calls); // the second resolve never touched the network
        }
    }

    @Test
    void offlineNothingIsDownloaded() throws Exception {
        try (LocalHub hub = new LocalHub("acme/tiny", BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("src")))) {
            Map<String, String> env = Map.of("HF_HOME", tmp.resolve("hf").toString(),
                    "HF_ENDPOINT", hub.endpoint().toString(), "HF_HUB_OFFLINE", "1");
            assertThat(new ModelResolver(tmp, env, false).online()).isFalse();
            assertThatThrownBy(() -> new ModelResolver(tmp, env, false).resolve("acme/tiny"))
                    .hasMessageContaining("not found").hasMessageContaining("offline");
            Map<String, String> online = Map.of("HF_HOME", tmp.resolve("hf").toString(),
                    "HF_ENDPOINT", hub.endpoint().toString());
            assertThatThrownBy(() -> new ModelResolver(tmp, online, true).resolve("acme/tiny"))
                    .hasMessageContaining("offline");
            assertThat(hub.requests).isEmpty();
        }
    }

    @Test
    void anIncompleteCachedSnapshotOfflineNamesTheMissingFiles() throws Exception {
        Path snapshot = Files.createDirectories(tmp.resolve("hub/models--acme--half/snapshots/abc"));
        Files.writeString(snapshot.resolve("config.json"), "{}");
        assertThatThrownBy(() -> new ModelResolver(tmp, Map.of("HF_HUB_CACHE", tmp.resolve("hub").toString()), true)
                .resolve("acme/half")).hasMessageContaining("missing model.safetensors, tokenizer.json or vocab.txt");
    }

    @Test
    void anIncompleteDirectoryNamesTheMissingFiles() throws Exception {
        Path partial = Files.createDirectories(tmp.resolve("partial"));
        Files.writeString(partial.resolve("config.json"), "{}");
        assertThatThrownBy(() -> new ModelResolver(tmp, Map.of()).resolve(partial.toString()))
                .hasMessageContaining("missing model.safetensors, tokenizer.json or vocab.txt");
    }
}
