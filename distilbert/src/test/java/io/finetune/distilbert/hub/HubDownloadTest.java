package io.finetune.distilbert.hub;

import io.finetune.distilbert.BundledModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The downloader against a local Hub serving the bundled tiny model; ModelResolverTest covers resolution. */
class HubDownloadTest {
    private static final String REPO = "acme/tiny-distilbert";
    @TempDir
    Path tmp;
    private LocalHub hub;
    private HubCache cache;

    @BeforeEach
    void start() throws Exception {
        hub = new LocalHub(REPO, BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("source")));
        cache = new HubCache(tmp.resolve("hub"));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private Path download() {
        return new HubDownloader(hub.endpoint(), cache).download(REPO, "main");
    }

    @Test
    void downloadsIntoTheHuggingFaceCacheLayout() throws Exception {
        Path snapshot = download();
        Path repo = tmp.resolve("hub/models--acme--tiny-distilbert");
        assertThat(snapshot).isEqualTo(repo.resolve("snapshots/" + LocalHub.COMMIT));
        assertThat(Files.readString(repo.resolve("refs/main"))).isEqualTo(LocalHub.COMMIT);
        for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json", "vocab.txt",
                "tokenizer_config.json"}) {
            Path link = snapshot.resolve(file);
            assertThat(Files.isSymbolicLink(link)).as(file).isTrue();
            assertThat(Files.readSymbolicLink(link).toString()).startsWith("../../blobs/");
            assertThat(Files.readAllBytes(link)).as(file).isEqualTo(hub.file(file));
        }
        // LFS blobs are named by their SHA-256, as huggingface_hub names them
        String sha = LocalHub.sha256(hub.file("model.safetensors"));
        assertThat(repo.resolve("blobs/" + sha)).exists();
        assertThat(snapshot.resolve("special_tokens_map.json")).doesNotExist(); // optional, 404 on this Hub
        assertThat(hub.requests).anyMatch(r -> r.startsWith("HEAD /" + REPO + "/resolve/main/config.json"))
                .anyMatch(r -> r.startsWith("GET /" + REPO + "/resolve/" + LocalHub.COMMIT + "/model.safetensors"))
                .anyMatch(r -> r.equals("GET /cdn/" + sha));
        try (var blobs = Files.list(repo.resolve("blobs"))) {
            assertThat(blobs.map(Path::toString)).noneMatch(name -> name.endsWith(".incomplete"));
        }
    }

    @Test
    void anInterruptedDownloadResumesWithRange() throws Exception {
        hub.interruptNext = true;
        Path snapshot = download();
        assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(hub.file("model.safetensors"));
        String sha = LocalHub.sha256(hub.file("model.safetensors"));
        int half = hub.file("model.safetensors").length / 2;
        assertThat(hub.requests).contains("GET /cdn/" + sha);
        // The hub writes half the blob before dropping the connection, but how much of that reaches the client
        // before the reset is up to the kernel: the resume must start somewhere after 0 and no later than half.
        String resumePrefix = "GET /cdn/" + sha + " bytes=";
        assertThat(hub.requests).filteredOn(r -> r.startsWith(resumePrefix)).singleElement().satisfies(r -> {
            long from = Long.parseLong(r.substring(resumePrefix.length(), r.length() - 1));
            assertThat(from).isPositive().isLessThanOrEqualTo(half);
        });
    }

    @Test
    void corruptedContentFailsVerificationAndLeavesNothingBehind() throws Exception {
        hub.corrupt = true;
        assertThatThrownBy(this::download).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model.safetensors failed verification")
                .hasMessageContaining(LocalHub.sha256(hub.file("model.safetensors")));
        Path repo = tmp.resolve("hub/models--acme--tiny-distilbert");
        try (var blobs = Files.list(repo.resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(
                    LocalHub.sha256(hub.file("model.safetensors"))));
        }
        assertThat(repo.resolve("refs/main")).doesNotExist();

        hub.corrupt = false; // the next attempt starts from nothing and succeeds
        assertThat(Files.readAllBytes(download().resolve("model.safetensors"))).isEqualTo(hub.file("model.safetensors"));
    }

    @Test
    void anUnknownRepositoryIsAClearError() {
        assertThatThrownBy(() -> new HubDownloader(hub.endpoint(), cache).download("acme/nothing", "main"))
                .isInstanceOf(ModelNotOnHubException.class)
                .hasMessageContaining("there is no model 'acme/nothing'").hasMessageContaining("HTTP 404");
    }

    @Test
    void hubNamesThatCouldEscapeTheCacheAreRefused() {
        assertThatThrownBy(() -> cache.snapshot(REPO, "../../etc")).hasMessageContaining("unusable commit");
    }
}
