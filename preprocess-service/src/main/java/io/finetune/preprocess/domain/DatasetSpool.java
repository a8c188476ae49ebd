package io.finetune.preprocess.domain;

import io.finetune.contracts.Json;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The records of one dataset, appended to a JSON-lines file as they arrive, so a dataset of millions of records costs
 * disk, not heap. Survives a restart: reopening finds the count and the last Kafka offset, and cuts off a line that a
 * crash left half-written. Records are read back by byte offset, which lets preparation keep only small index entries
 * in memory.
 */
public final class DatasetSpool implements Closeable {
    private final Path file;
    private OutputStream out;
    private long count;
    /** The partition and offset of the first record spooled (-1 while empty): where the dataset starts. */
    private int firstPartition = -1;
    private long firstOffset = -1;
    /** Highest source offset spooled, per partition (a dataset's records normally share one partition). */
    private final Map<Integer, Long> lastOffsets = new HashMap<>();
    /** The source offset of every record, in spool order: 8 bytes a record, for {@link #countBefore}. */
    private long[] offsets = new long[64];

    /** A line of the spool: where it starts, how long it is, and what it holds. */
    public record Line(long offset, int length, SpooledRecord record) {
    }

    @FunctionalInterface
    public interface LineVisitor {
        void visit(Line line);
    }

    private DatasetSpool(Path file) {
        this.file = file;
    }

    public static DatasetSpool open(Path file) {
        DatasetSpool spool = new DatasetSpool(file);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                spool.recover();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open spool " + file, e);
        }
        return spool;
    }

    /**
     * Appends the record unless it came from a Kafka offset already spooled (a redelivery after a crash before the
     * offset was committed). Flushed to the OS before returning, so the caller may acknowledge the source record.
     *
     * @return false when the record was a redelivery and was skipped
     */
    public synchronized boolean append(SpooledRecord record) {
        if (record.o() >= 0 && record.o() <= lastOffsets.getOrDefault(record.p(), -1L)) {
            return false;
        }
        byte[] line = (Json.write(record) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (out == null) {
                out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND), 64 * 1024);
            }
            out.write(line);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to spool " + file, e);
        }
        counted(record);
        return true;
    }

    private void counted(SpooledRecord record) {
        if (count == 0) {
            firstPartition = record.p();
            firstOffset = record.o();
        }
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
        }
        offsets[(int) count] = record.o();
        count++;
        lastOffsets.merge(record.p(), record.o(), Math::max);
    }

    public synchronized long count() {
        return count;
    }

    /**
     * The records spooled from source offsets below {@code offset}: of a continuous dataset, those of the version whose
     * END marker is there (the spool may hold records of the next version too). A dataset's records share one
     * partition (keyed by dataset), so the offset alone places them.
     */
    public synchronized long countBefore(long offset) {
        long before = 0;
        for (int i = 0; i < count; i++) {
            before += offsets[i] < offset ? 1 : 0;
        }
        return before;
    }

    /** The partition the dataset's records came from (its key's), or -1 while the spool is empty. */
    public synchronized int partition() {
        return firstPartition;
    }

    /** The source offset of the first record spooled, or -1 while the spool is empty. */
    public synchronized long firstOffset() {
        return firstOffset;
    }

    /** Visits every line in file order, reading sequentially. */
    public synchronized void forEach(LineVisitor visitor) {
        closeWriter();
        if (!Files.exists(file)) {
            return;
        }
        try {
            lines((offset, bytes, from, length) -> visitor.visit(new Line(offset, length, parse(bytes, from, length))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool " + file, e);
        }
    }

    /** A complete line as it lies in the read buffer, valid only during the call. */
    @FunctionalInterface
    private interface RawLine {
        void accept(long offset, byte[] bytes, int from, int length);
    }

    /**
     * Calls back for every complete line, reading the file in large blocks (byte-by-byte reading was most of the
     * preparation's own CPU time); a line longer than the buffer grows it.
     *
     * @return the file position just after the last complete line
     */
    private long lines(RawLine handler) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            long base = 0;  // file position of buffer[0]
            int filled = 0;
            int n;
            while ((n = in.read(buffer, filled, buffer.length - filled)) != -1) {
                int start = 0;
                for (int i = filled, end = filled + n; i < end; i++) {
                    if (buffer[i] == '\n') {
                        handler.accept(base + start, buffer, start, i - start);
                        start = i + 1;
                    }
                }
                filled += n - start; // keep the incomplete line at the front
                System.arraycopy(buffer, start, buffer, 0, filled);
                base += start;
                if (filled == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
            }
            return base;
        }
    }

    /** Reads one line back by the position {@link #forEach} reported. */
    public final class RandomReader implements Closeable {
        private final RandomAccessFile raf;

        private RandomReader() throws IOException {
            raf = new RandomAccessFile(file.toFile(), "r");
        }

        public SpooledRecord read(long offset, int length) {
            byte[] bytes = new byte[length];
            try {
                raf.seek(offset);
                raf.readFully(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read spool " + file + " at " + offset, e);
            }
            return parse(bytes, 0, length);
        }

        @Override
        public void close() throws IOException {
            raf.close();
        }
    }

    public synchronized RandomReader reader() {
        closeWriter();
        try {
            return new RandomReader();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool " + file, e);
        }
    }

    /** Removes the file: the dataset was prepared, a new run of it starts from nothing. */
    public synchronized void delete() {
        closeWriter();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spool " + file, e);
        }
        count = 0;
        offsets = new long[64];
        firstPartition = -1;
        firstOffset = -1;
        lastOffsets.clear();
    }

    @Override
    public synchronized void close() {
        closeWriter();
    }

    private void closeWriter() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close spool " + file, e);
            }
            out = null;
        }
    }

    private static SpooledRecord parse(byte[] bytes, int from, int length) {
        try {
            return Json.MAPPER.readValue(bytes, from, length, SpooledRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable spool line: " + e.getMessage(), e);
        }
    }

    private void recover() throws IOException {
        long complete = lines((offset, bytes, from, length) -> counted(parse(bytes, from, length)));
        long position = Files.size(file);
        if (complete < position) { // a crash mid-append: the source record was not acknowledged and will come again
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(complete);
            }
        }
    }
}
