package io.finetune.local.data;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The regular files of a gzipped tar (ustar, as {@code npm pack} writes it), by path. Enough for a package of a few
 * megabytes read once; links, directories and extended headers are skipped.
 */
final class TarGz {
    private static final int BLOCK = 512;

    private TarGz() {
    }

    static Map<String, byte[]> files(byte[] tarGz) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(tarGz)))) {
            byte[] header = new byte[BLOCK];
            while (readBlock(in, header) && !allZero(header)) {
                long size = octal(header, 124, 12);
                if (size > Integer.MAX_VALUE - BLOCK) {
                    throw new IOException("tar entry of " + size + " bytes is too large");
                }
                byte[] body = new byte[(int) size];
                in.readFully(body);
                in.skipNBytes((BLOCK - size % BLOCK) % BLOCK);
                char type = (char) header[156];
                if (type == '0' || type == '\0') {
                    String prefix = text(header, 345, 155);
                    String name = text(header, 0, 100);
                    files.put(prefix.isEmpty() ? name : prefix + "/" + name, body);
                }
            }
        }
        return files;
    }

    private static boolean readBlock(InputStream in, byte[] block) throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        if (n == 0) {
            return false; // an archive without its two end blocks still ends here
        }
        if (n < BLOCK) {
            throw new EOFException("tar archive ends inside a header");
        }
        return true;
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static long octal(byte[] header, int offset, int length) throws IOException {
        String digits = text(header, offset, length).trim();
        try {
            return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
        } catch (NumberFormatException e) {
            throw new IOException("tar header has a size that is not octal: '" + digits + "'", e);
        }
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }
}
