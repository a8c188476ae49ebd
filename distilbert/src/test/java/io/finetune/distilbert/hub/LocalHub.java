package io.finetune.distilbert.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Hugging Face Hub on 127.0.0.1 with the Hub's URL scheme and headers: {@code /{repo}/resolve/{rev}/{file}} answers
 * small files itself (ETag = git blob SHA-1, X-Repo-Commit) and redirects LFS files ({@code *.safetensors}) to
 * {@code /cdn/{sha256}} with X-Linked-Etag and X-Linked-Size, as huggingface.co does. The CDN honours Range. Tests
 * switch on an interrupted transfer or corrupted content, and read the request log.
 */
public final class LocalHub implements AutoCloseable {
    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private final HttpServer server;
    private final String repo;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    /** "METHOD path [range]" of every request, in order. */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** The next CDN transfer stops half-way and drops the connection. */
    public volatile boolean interruptNext;
    /** The CDN serves content with one byte changed (its headers still announce the true SHA-256). */
    public volatile boolean corrupt;

    public LocalHub(String repo, Path modelDir) throws IOException {
        this.repo = repo;
        try (var list = Files.list(modelDir)) {
            for (Path file : list.toList()) {
                files.put(file.getFileName().toString(), Files.readAllBytes(file));
            }
        }
        files.forEach((name, bytes) -> {
            if (lfs(name)) {
                blobs.put(sha256(bytes), bytes);
            }
        });
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public byte[] file(String name) {
        return files.get(name);
    }

    private static boolean lfs(String name) {
        return name.endsWith(".safetensors");
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String range = exchange.getRequestHeaders().getFirst("Range");
        requests.add(exchange.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        try (exchange) {
            if (path.startsWith("/cdn/")) {
                cdn(exchange, blobs.get(path.substring(5)), range, head);
                return;
            }
            String prefix = "/" + repo + "/resolve/";
            String[] revAndFile = path.startsWith(prefix) ? path.substring(prefix.length()).split("/", 2) : null;
            byte[] content = revAndFile == null || revAndFile.length < 2 ? null : files.get(revAndFile[1]);
            if (content == null || !(revAndFile[0].equals("main") || revAndFile[0].equals(COMMIT))) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("X-Repo-Commit", COMMIT);
            if (lfs(revAndFile[1])) {
                String sha = sha256(content);
                exchange.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
                exchange.getResponseHeaders().set("X-Linked-Size", Integer.toString(content.length));
                exchange.getResponseHeaders().set("ETag", "\"" + gitSha1(content) + "\"");
                exchange.getResponseHeaders().set("Location", "/cdn/" + sha);
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            exchange.getResponseHeaders().set("ETag", "\"" + gitSha1(content) + "\"");
            send(exchange, 200, content, 0, head);
        }
    }

    private void cdn(HttpExchange exchange, byte[] blob, String range, boolean head) throws IOException {
        if (blob == null) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        byte[] content = blob.clone();
        if (corrupt) {
            content[content.length / 2] ^= 1;
        }
        int from = range == null ? 0 : Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
        if (from > 0) {
            exchange.getResponseHeaders().set("Content-Range",
                    "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        send(exchange, from > 0 ? 206 : 200, content, from, head);
    }

    private void send(HttpExchange exchange, int status, byte[] content, int from, boolean head) throws IOException {
        int length = content.length - from;
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, length);
        OutputStream out = exchange.getResponseBody();
        if (interruptNext && status == 200 && exchange.getRequestURI().getPath().startsWith("/cdn/")) {
            interruptNext = false;
            out.write(content, from, length / 2);
            out.flush();
            pause(); // lets the client read most of what was sent before the connection goes
            // Closing short of the announced length makes the server drop the connection: a broken transfer.
            return;
        }
        out.write(content, from, length);
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String sha256(byte[] bytes) {
        return digest("SHA-256", bytes);
    }

    /** What git (and so the Hub's ETag for a small file) names a blob: SHA-1 of "blob LEN\0" + content. */
    private static String gitSha1(byte[] bytes) {
        byte[] header = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[header.length + bytes.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(bytes, 0, all, header.length, bytes.length);
        return digest("SHA-1", all);
    }

    private static String digest(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
