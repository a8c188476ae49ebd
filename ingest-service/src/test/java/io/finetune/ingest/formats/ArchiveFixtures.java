package io.finetune.ingest.formats;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Small archives built in memory by the tests, laid out like the real downloads. */
public final class ArchiveFixtures {
    /** A miniature aclImdb_v1.tar.gz: two reviews per split and label, unlabeled ones and the vocabulary beside. */
    public static byte[] imdbTarGz() throws IOException {
        Map<String, String> files = new java.util.LinkedHashMap<>();
        files.put("aclImdb/README", "Large Movie Review Dataset v1.0");
        files.put("aclImdb/imdb.vocab", "the\nand\n");
        files.put("aclImdb/train/pos/0_9.txt", "A wonderful film.<br /><br />Loved it.");
        files.put("aclImdb/train/pos/1_8.txt", "Great acting.");
        files.put("aclImdb/train/neg/0_2.txt", "Dull and long.");
        files.put("aclImdb/train/neg/1_1.txt", "The worst.");
        files.put("aclImdb/train/unsup/0_0.txt", "No label here.");
        files.put("aclImdb/train/urls_pos.txt", "http://www.imdb.com/title/tt0453418/usercomments");
        files.put("aclImdb/test/pos/0_10.txt", "Masterpiece.");
        files.put("aclImdb/test/neg/0_3.txt", "Awful plot.");
        return tarGz(files);
    }

    public static byte[] tarGz(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, String> file : files.entrySet()) {
                byte[] content = file.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey(), true);
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    public static byte[] zip(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream((OutputStream) bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(file.getKey()));
                zip.write(file.getValue());
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private ArchiveFixtures() {
    }
}
