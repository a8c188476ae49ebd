package io.finetune.distilbert.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Downloads a model repository's files from the Hugging Face Hub into the shared cache ({@link HubCache}), the way
 * {@code huggingface_hub} does: {@code HEAD {endpoint}/{repo}/resolve/{revision}/{file}} names the commit
 * ({@code X-Repo-Commit}) and the content ({@code X-Linked-Etag} for LFS files, whose value is the SHA-256 of the
 * content, else {@code ETag}); the other files are then fetched at that commit, so a snapshot never mixes two
 * revisions. Downloads go to {@code blobs/ETAG.incomplete} and resume with {@code Range} after a broken connection;
 * a blob is kept only once verified (SHA-256 where the ETag is one, else the announced size).
 */
public final class HubDownloader {
    public static final List<String> REQUIRED = List.of("config.json", "model.safetensors");
    /** Tokenizer files: a model needs tokenizer.json or vocab.txt, the rest may 404. */
    public static final List<String> OPTIONAL =
            List.of("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int ATTEMPTS = 3;

    private final URI endpoint;
    private final HubCache cache;
    private final HttpClient http;

    public HubDownloader(URI endpoint, HubCache cache) {
        this(endpoint, cache, HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build());
    }

    HubDownloader(URI endpoint, HubCache cache, HttpClient http) {
        this.endpoint = endpoint;
        this.cache = cache;
        this.http = http;
    }

    /** What a HEAD said about one file. */
    private record Remote(String commit, String etag, long size) {
    }

    /**
     * Downloads every file of the model at {@code revision}; returns the snapshot directory.
     *
     * @throws ModelNotOnHubException  the Hub has no such model, or shows it only with an access token
     * @throws HubUnreachableException the Hub cannot be reached at all
     */
    public Path download(String repo, String revision) {
        try {
            Remote config = head(repo, revision, REQUIRED.get(0))
                    .orElseThrow(() -> new ModelNotOnHubException("there is no model '" + repo + "' on the Hugging"
                            + " Face Hub at " + endpoint + ": it answered HTTP 404 for its config.json (revision "
                            + revision + ")"));
            String commit = HubCache.safe(config.commit(), "commit");
            fetch(repo, commit, REQUIRED.get(0), config);
            for (String file : REQUIRED.subList(1, REQUIRED.size())) {
                Remote remote = head(repo, commit, file).orElseThrow(() -> new IllegalArgumentException(
                        "model '" + repo + "' has no " + file + " at " + endpoint + " (only safetensors weights load)"));
                fetch(repo, commit, file, remote);
            }
            for (String file : OPTIONAL) {
                Optional<Remote> remote = head(repo, commit, file);
                if (remote.isPresent()) {
                    fetch(repo, commit, file, remote.get());
                }
            }
            if (!revision.equals(commit)) {
                cache.writeRef(repo, revision, commit); // last: a ref always names a finished snapshot
            }
            return cache.snapshot(repo, commit);
        } catch (IOException e) {
            if (HubUnreachableException.isUnreachable(e)) {
                throw new HubUnreachableException(endpoint, e);
            }
            throw new UncheckedIOException("cannot download model '" + repo + "' from " + endpoint + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while downloading model '" + repo + "'", e);
        }
    }

    private URI uri(String repo, String revision, String file) {
        String base = endpoint.toString().replaceAll("/+$", "");
        return URI.create(base + "/" + repo + "/resolve/" + URLEncoder.encode(revision, StandardCharsets.UTF_8)
                + "/" + file);
    }

    private Optional<Remote> head(String repo, String revision, String file) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(repo, revision, file)).timeout(Duration.ofSeconds(60))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            // The Hub answers 401 for a repository that does not exist as for one that is private or gated.
            throw new ModelNotOnHubException("there is no model '" + repo + "' on the Hugging Face Hub at " + endpoint
                    + ", or it is private or gated and needs an access token, which this downloader does not send"
                    + " (HTTP " + response.statusCode() + ")");
        }
        if (response.statusCode() != 200) {
            throw new IOException("HEAD " + request.uri() + " answered HTTP " + response.statusCode());
        }
        String commit = header(response, "X-Repo-Commit");
        String etag = Optional.ofNullable(header(response, "X-Linked-Etag")).orElseGet(() -> firstEtag(response));
        String size = Optional.ofNullable(header(response, "X-Linked-Size"))
                .orElse(response.headers().firstValue("Content-Length").orElse("-1"));
        if (commit == null || etag == null) {
            throw new IOException(request.uri() + " is not a Hugging Face Hub file: no X-Repo-Commit or ETag");
        }
        return Optional.of(new Remote(commit, normaliseEtag(etag), Long.parseLong(size)));
    }

    /** A header of any response of the redirect chain, the Hub's own (first) response winning over the CDN's. */
    private static String header(HttpResponse<?> last, String name) {
        String found = null;
        for (HttpResponse<?> r = last; r != null; r = r.previousResponse().orElse(null)) {
            found = r.headers().firstValue(name).orElse(found);
        }
        return found;
    }

    private static String firstEtag(HttpResponse<?> last) {
        HttpResponse<?> first = last;
        while (first.previousResponse().isPresent()) {
            first = first.previousResponse().get();
        }
        return first.headers().firstValue("ETag").orElse(null);
    }

    private static String normaliseEtag(String etag) {
        String e = etag.startsWith("W/") ? etag.substring(2) : etag;
        return e.replace("\"", "");
    }

    private void fetch(String repo, String commit, String file, Remote remote) throws IOException, InterruptedException {
        Path blob = cache.blob(repo, remote.etag());
        if (!Files.isRegularFile(blob)) {
            Path partial = cache.incomplete(repo, remote.etag());
            Files.createDirectories(partial.getParent());
            for (int attempt = 1; !complete(partial, remote); attempt++) {
                try {
                    get(repo, commit, file, partial);
                    break;
                } catch (IOException e) { // the bytes so far stay: the next attempt asks only for the rest
                    if (attempt == ATTEMPTS) {
                        throw e;
                    }
                }
            }
            verify(partial, remote, repo + "/" + file);
            Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
        }
        cache.link(repo, commit, file, remote.etag());
    }

    private static boolean complete(Path partial, Remote remote) throws IOException {
        return remote.size() >= 0 && Files.exists(partial) && Files.size(partial) >= remote.size();
    }

    private void get(String repo, String commit, String file, Path partial) throws IOException, InterruptedException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(repo, commit, file)).timeout(Duration.ofSeconds(60));
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            boolean resumed = response.statusCode() == 206;
            if (!resumed && response.statusCode() != 200) {
                throw new IOException("GET " + request.build().uri() + " answered HTTP " + response.statusCode());
            }
            // 200 to a Range request: the server ignored it and sends everything, so start over.
            try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                body.transferTo(out);
            }
        }
    }

    private static void verify(Path file, Remote remote, String name) throws IOException {
        long size = Files.size(file);
        String problem = null;
        if (remote.size() >= 0 && size != remote.size()) {
            problem = size + " bytes instead of " + remote.size();
        } else if (SHA256.matcher(remote.etag()).matches()) {
            String sha = sha256(file);
            if (!sha.equals(remote.etag())) {
                problem = "SHA-256 " + sha + " instead of " + remote.etag();
            }
        }
        if (problem != null) {
            Files.delete(file); // never resume from bytes known to be wrong
            throw new IllegalStateException("download of " + name + " failed verification: " + problem);
        }
    }

    static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
