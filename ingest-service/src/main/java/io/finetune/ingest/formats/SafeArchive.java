package io.finetune.ingest.formats;

import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Reads the files of a tar, tar.gz or zip archive as a stream, without writing anything to disk. Refuses an archive
 * with a path that climbs out of it ("../") or is absolute, more entries than allowed, or more bytes once unpacked
 * than allowed (an archive bomb): the whole archive is refused, because it was not made by an honest packer.
 */
public final class SafeArchive {
    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

    /** @param maxEntries most entries (files and folders); @param maxBytes most bytes of all files unpacked */
    public record Limits(int maxEntries, long maxBytes) {
    }

    /** Called for each regular file with its normalized path and a stream of exactly its bytes. */
    @FunctionalInterface
    public interface FileVisitor {
        void visit(String path, InputStream content) throws IOException;
    }

    /** Thrown when the archive is refused; the message says why. */
    public static final class RefusedArchiveException extends IOException {
        public RefusedArchiveException(String message) {
            super(message);
        }
    }

    public static boolean isArchive(InputStream in) throws IOException {
        return kind(in) != null;
    }

    /** @param in must support mark/reset (wrap in a BufferedInputStream) */
    public static void read(InputStream in, Limits limits, FileVisitor visitor) throws IOException {
        String kind = kind(in);
        if (kind == null) {
            throw new IOException("not a tar, tar.gz or zip archive");
        }
        InputStream unpacked = kind.equals("gzip") ? new BufferedInputStream(new GzipCompressorInputStream(in, true))
                : in;
        try (ArchiveInputStream<?> archive = kind.equals("zip") ? new ZipArchiveInputStream(unpacked)
                : new TarArchiveInputStream(unpacked)) {
            long entries = 0;
            long total = 0;
            for (ArchiveEntry entry; (entry = archive.getNextEntry()) != null; ) {
                if (++entries > limits.maxEntries()) {
                    throw new RefusedArchiveException("the archive has more than " + limits.maxEntries() + " entries");
                }
                String path = checkedPath(entry.getName());
                if (entry.isDirectory() || !archive.canReadEntryData(entry) || isLink(entry)) {
                    continue;
                }
                long left = limits.maxBytes() - total;
                CountingStream content = new CountingStream(archive, left);
                visitor.visit(path, content);
                content.transferTo(OutputStream.nullOutputStream()); // whatever the visitor left unread counts too
                total += content.count;
            }
        }
    }

    /** The entry's path with "./" prefixes removed; refuses absolute paths and "..". */
    static String checkedPath(String name) throws RefusedArchiveException {
        String path = name.replace('\\', '/');
        if (path.startsWith("/") || DRIVE.matcher(path).matches()) {
            throw new RefusedArchiveException("the archive holds an absolute path: " + name);
        }
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                throw new RefusedArchiveException("the archive holds a path that leaves it: " + name);
            }
        }
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        return path;
    }

    private static boolean isLink(ArchiveEntry entry) {
        return entry instanceof org.apache.commons.compress.archivers.tar.TarArchiveEntry tar
                && (tar.isSymbolicLink() || tar.isLink());
    }

    /** "gzip", "zip", "tar", or null. */
    private static String kind(InputStream in) throws IOException {
        byte[] head = new byte[512];
        in.mark(head.length);
        int n = in.readNBytes(head, 0, head.length);
        in.reset();
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return "gzip";
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return "zip";
        }
        if (n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return "tar";
        }
        return null;
    }

    /** Counts what is read of one entry and refuses to go past the archive's byte budget. */
    private static final class CountingStream extends InputStream {
        private final InputStream in;
        private final long budget;
        private long count;

        CountingStream(InputStream in, long budget) {
            this.in = in;
            this.budget = budget;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, (int) Math.min(len, budget - count + 1));
            if (n > 0) {
                count += n;
                if (count > budget) {
                    throw new RefusedArchiveException("the archive unpacks to more than the bytes left of its limit (" + budget + ")");
                }
            }
            return n;
        }

        @Override
        public void close() {
            // the archive stream stays open for the next entry
        }
    }

    private SafeArchive() {
    }
}
