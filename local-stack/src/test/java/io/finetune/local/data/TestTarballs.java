package io.finetune.local.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Small corpora in the package's layout, and gzipped ustar archives of them, for tests. */
final class TestTarballs {
    private TestTarballs() {
    }

    /** {@code documentsPerGenre} documents per genre, each of {@code paragraphs} long paragraphs and one headline. */
    static Map<String, byte[]> corpus(int documentsPerGenre, int paragraphs, String... genres) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        StringBuilder cats = new StringBuilder();
        char letter = 'a';
        for (String genre : genres) {
            for (int d = 1; d <= documentsPerGenre; d++) {
                String name = String.format("c%c%02d", letter, d);
                cats.append(name).append(' ').append(genre).append('\n');
                StringBuilder text = new StringBuilder("\n\n\tHeadline/nn-hl of/in-hl " + name + "/np-hl\n");
                for (int p = 0; p < paragraphs; p++) {
                    text.append("\n\n\tThis/dt is/bez paragraph/nn ").append(p).append("/cd of/in ").append(name)
                            .append("/np ,/, a/at ").append(genre).append("/nn text/nn with/in enough/ap words/nns ./.")
                            .append("\n");
                }
                files.put("package/" + name, text.toString().getBytes(StandardCharsets.UTF_8));
            }
            letter++;
        }
        files.put("package/cats.txt", cats.toString().getBytes(StandardCharsets.UTF_8));
        files.put("package/README", "not a document".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    static byte[] tarGz(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(header("package/", 0, '5'));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                gz.write(header(f.getKey(), f.getValue().length, '0'));
                gz.write(f.getValue());
                gz.write(new byte[(512 - f.getValue().length % 512) % 512]);
            }
            gz.write(new byte[1024]);
        }
        return bytes.toByteArray();
    }

    private static byte[] header(String name, int size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644\0");
        put(h, 124, String.format("%011o\0", size));
        put(h, 136, String.format("%011o\0", 0));
        h[156] = (byte) type;
        put(h, 257, "ustar\0" + "00");
        put(h, 148, "        ");
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o\0 ", sum));
        return h;
    }

    private static void put(byte[] header, int offset, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, header, offset, b.length);
    }
}
