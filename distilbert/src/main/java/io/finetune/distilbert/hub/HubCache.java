package io.finetune.distilbert.hub;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * The Hugging Face cache layout that {@code huggingface_hub} and {@code transformers} share, so a model downloaded
 * here is found by Python and the other way round:
 *
 * <pre>
 * models--ORG--NAME/blobs/ETAG                   the content, named by its ETag (SHA-256 for LFS files)
 * models--ORG--NAME/blobs/ETAG.incomplete        a download in progress, resumed from its length
 * models--ORG--NAME/snapshots/COMMIT/FILE        relative symlink to ../../blobs/ETAG
 * models--ORG--NAME/refs/REVISION                the commit REVISION pointed to
 * </pre>
 */
public final class HubCache {
    /** ETags and commits become file names: nothing but these characters may reach the file system. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    public static String repoFolder(String repo) {
        return "models--" + repo.replace("/", "--");
    }

    public Path repoDir(String repo) {
        return root.resolve(repoFolder(repo));
    }

    Path blob(String repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(safe(etag, "ETag"));
    }

    Path incomplete(String repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(safe(etag, "ETag") + ".incomplete");
    }

    public Path snapshot(String repo, String commit) {
        return repoDir(repo).resolve("snapshots").resolve(safe(commit, "commit"));
    }

    /** Points {@code snapshots/COMMIT/FILE} at the blob with a relative link (a copy where links are refused). */
    void link(String repo, String commit, String file, String etag) throws IOException {
        Path target = snapshot(repo, commit).resolve(file);
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        Path blob = blob(repo, etag);
        try {
            Files.createSymbolicLink(target, target.getParent().relativize(blob));
        } catch (UnsupportedOperationException | FileAlreadyExistsException | SecurityException e) {
            Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void writeRef(String repo, String revision, String commit) throws IOException {
        Path ref = repoDir(repo).resolve("refs").resolve(safe(revision, "revision"));
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling(ref.getFileName() + ".tmp");
        Files.writeString(tmp, commit);
        Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String safe(String name, String what) {
        if (name == null || !SAFE.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalStateException("the Hub sent an unusable " + what + ": " + name);
        }
        return name;
    }
}
