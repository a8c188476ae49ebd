package io.finetune.contracts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Collects the chunks of checkpoints on disk (never the whole archive in memory) until all are present, then joins
 * them and verifies size and SHA-256. Repeated chunks (redelivery) are harmless: each is written to its own file.
 */
public final class CheckpointAssembler {
    private final Path workDir;

    public CheckpointAssembler(Path workDir) {
        this.workDir = workDir;
    }

    /** Stores a chunk; returns the verified archive once the checkpoint is complete. */
    public Optional<Path> accept(CheckpointChunk chunk) {
        try {
            Path dir = workDir.resolve(SafeNames.check(chunk.checkpointId(), "checkpoint id"));
            Files.createDirectories(dir);
            Path part = dir.resolve(String.format("%08d.part", chunk.index()));
            Path tmp = dir.resolve(part.getFileName() + ".tmp");
            Files.write(tmp, chunk.data());
            Files.move(tmp, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            for (int i = 0; i < chunk.count(); i++) {
                if (!Files.exists(dir.resolve(String.format("%08d.part", i)))) {
                    return Optional.empty();
                }
            }
            return Optional.of(join(chunk, dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path join(CheckpointChunk chunk, Path dir) throws IOException {
        Path archive = dir.resolve("archive.zip");
        MessageDigest digest = Hashing.sha256();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(archive), digest)) {
            for (int i = 0; i < chunk.count(); i++) {
                Files.copy(dir.resolve(String.format("%08d.part", i)), out);
            }
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        if (Files.size(archive) != chunk.totalBytes() || !sha.equals(chunk.sha256())) {
            Files.delete(archive);
            throw new IllegalStateException("checkpoint " + chunk.checkpointId() + " failed verification: expected "
                    + chunk.totalBytes() + " bytes with SHA-256 " + chunk.sha256() + ", got " + sha);
        }
        return archive;
    }
}
