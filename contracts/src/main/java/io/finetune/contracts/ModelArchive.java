package io.finetune.contracts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

    /** Extracts a flat archive; entries with directories or path characters are refused, not written. */
    public static void unzip(InputStream archive, Path targetDir) {
        try (ZipInputStream zip = new ZipInputStream(archive)) {
            Files.createDirectories(targetDir);
            long total = 0;
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                String name = entry.getName();
                if (entry.isDirectory() || !SafeNames.isSafe(name)) {
                    throw new IllegalArgumentException("refusing archive entry '" + name + "': not a flat file name");
                }
                Path out = targetDir.resolve(name);
                total += Files.copy(zip, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                if (total > MAX_EXTRACTED_BYTES) {
                    throw new IllegalArgumentException("archive expands beyond " + MAX_EXTRACTED_BYTES + " bytes");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ModelArchive() {
    }
}
