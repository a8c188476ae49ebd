package io.finetune.contracts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** A flat model directory (HF layout plus checkpoint.json) as a zip archive, and back. */
public final class ModelArchive {
    /** Guards extraction against archive bombs: a DistilBERT-base directory is ~270 MB. */
    private static final long MAX_EXTRACTED_BYTES = 4L * 1024 * 1024 * 1024;

    public static byte[] zip(Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.list(dir)) {
            List<Path> sorted = files.filter(Files::isRegularFile).sorted().toList();
            for (Path file : sorted) {
                ZipEntry entry = new ZipEntry(file.getFileName().toString());
                entry.setTime(0); // same directory, same bytes: checksums stay stable
                zip.putNextEntry(entry);
                Files.copy(file, zip);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Extracts a flat archive; entries with directories or path characters are refused, not written. The bound on
     * the extracted size is enforced while writing, chunk by chunk: one entry that inflates to terabytes stops at
     * the bound (its partial file deleted) instead of filling the disk before any check could run.
     */
    public static void unzip(InputStream archive, Path targetDir) {
        unzip(archive, targetDir, MAX_EXTRACTED_BYTES);
    }

    static void unzip(InputStream archive, Path targetDir, long maxExtractedBytes) {
        try (ZipInputStream zip = new ZipInputStream(archive)) {
            Files.createDirectories(targetDir);
            long total = 0;
            byte[] buffer = new byte[64 * 1024];
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                String name = entry.getName();
                if (entry.isDirectory() || !SafeNames.isSafe(name)) {
                    throw new IllegalArgumentException("refusing archive entry '" + name + "': not a flat file name");
                }
                Path out = targetDir.resolve(name);
                try (OutputStream file = Files.newOutputStream(out)) {
                    for (int n; (n = zip.read(buffer, 0, (int) Math.min(buffer.length, maxExtractedBytes - total + 1)))
                            > 0; ) {
                        total += n;
                        if (total > maxExtractedBytes) {
                            throw new IllegalArgumentException("archive expands beyond " + maxExtractedBytes
                                    + " bytes (entry '" + name + "'): refused");
                        }
                        file.write(buffer, 0, n);
                    }
                } catch (IllegalArgumentException | IOException e) {
                    Files.deleteIfExists(out);
                    throw e;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ModelArchive() {
    }
}
