package io.finetune.local.finetune;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One request body for ingest's {@code POST /datasets/{name}/import}: a file as it is, or a folder of e-mails packed
 * into one zip. An input becomes one or more uploads (a folder of CSV files: one per file).
 *
 * @param file   what to send
 * @param format the import format
 * @param source what the user named, for messages
 */
record Upload(Path file, String format, String contentType, String source) {
    private static final Map<String, String> CONTENT_TYPES = Map.of("csv", "text/csv", "tsv",
            "text/tab-separated-values", "jsonl", "application/x-ndjson", "parquet", "application/vnd.apache.parquet",
            "mbox", "application/mbox", "imdb", "application/gzip", "eml", "message/rfc822");

    /** The uploads an input makes; zips of e-mail folders go into {@code scratch}. */
    static List<Upload> of(FinetuneArgs.Input input, Path scratch) {
        Path path = input.path();
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("input " + path + " does not exist");
        }
        if (Files.isRegularFile(path)) {
            String format = input.format() != null ? input.format() : formatOf(path.getFileName().toString());
            if (format == null) {
                throw new IllegalArgumentException("cannot tell the format of " + path + " from its name: add --format");
            }
            String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
            String type = format.equals("eml") && (name.endsWith(".zip") || name.endsWith(".tar")
                    || name.endsWith(".tar.gz") || name.endsWith(".tgz")) ? "application/octet-stream"
                    : CONTENT_TYPES.get(format);
            return List.of(new Upload(path, format, type, path.toString()));
        }
        List<Path> files = files(path);
        String format = input.format();
        if (format == null) {
            List<String> formats = files.stream().map(f -> formatOf(f.getFileName().toString())).distinct().toList();
            if (formats.size() != 1 || formats.get(0) == null) {
                throw new IllegalArgumentException("cannot tell the format of the files in " + path + " from their "
                        + "names: add --format");
            }
            format = formats.get(0);
        }
        if (format.equals("eml")) {
            return List.of(new Upload(zipMessages(path, files, scratch), "eml", "application/zip", path.toString()));
        }
        String f = format;
        return files.stream().map(file -> new Upload(file, f, CONTENT_TYPES.get(f), file.toString())).toList();
    }

    private static String formatOf(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        for (String format : List.of("csv", "tsv", "jsonl", "parquet", "eml", "mbox")) {
            if (name.endsWith("." + format)) {
                return format;
            }
        }
        return name.endsWith(".ndjson") ? "jsonl" : null;
    }

    private static List<Path> files(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> files = walk.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("input folder " + dir + " has no files");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Every file of the folder as one message of a zip, named {@code .eml} (ingest reads the .eml entries of an
     * archive), so mail saved without that suffix, as corpora often are, is read too.
     */
    private static Path zipMessages(Path dir, List<Path> files, Path scratch) {
        try {
            Files.createDirectories(scratch);
            Path zip = Files.createTempFile(scratch, "messages-", ".zip");
            try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream entries = new ZipOutputStream(out)) {
                for (Path file : files) {
                    String name = dir.relativize(file).toString().replace('\\', '/');
                    name = name.toLowerCase(Locale.ROOT).endsWith(".eml") ? name : name + ".eml";
                    entries.putNextEntry(new ZipEntry(name));
                    Files.copy(file, entries);
                    entries.closeEntry();
                }
            }
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack the messages of " + dir, e);
        }
    }
}
