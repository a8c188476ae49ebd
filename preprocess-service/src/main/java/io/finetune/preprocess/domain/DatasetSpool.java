package io.finetune.preprocess.domain;

import io.finetune.contracts.Json;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
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
    /** Highest source offset spooled, per partition (a dataset's records normally share one partition). */
    private final Map<Integer, Long> lastOffsets = new HashMap<>();

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
        count++;
        lastOffsets.merge(record.p(), record.o(), Math::max);
        return true;
    }

    public synchronized long count() {
        return count;
    }

    /** Visits every line in file order, reading sequentially. */
    public synchronized void forEach(LineVisitor visitor) {
        closeWriter();
        if (!Files.exists(file)) {
            return;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 256 * 1024)) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(4096);
            long offset = 0;
            long position = 0;
            int b;
            while ((b = in.read()) != -1) {
                position++;
                if (b == '\n') {
                    byte[] bytes = buffer.toByteArray();
                    visitor.visit(new Line(offset, bytes.length, parse(bytes)));
                    buffer.reset();
                    offset = position;
                } else {
                    buffer.write(b);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool " + file, e);
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
            return parse(bytes);
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

    private static SpooledRecord parse(byte[] bytes) {
        return Json.read(new String(bytes, StandardCharsets.UTF_8), SpooledRecord.class);
    }

    private void recover() throws IOException {
        long complete = 0;
        long position = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 256 * 1024)) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(4096);
            int b;
            while ((b = in.read()) != -1) {
                position++;
                if (b == '\n') {
                    SpooledRecord record = parse(buffer.toByteArray());
                    lastOffsets.merge(record.p(), record.o(), Math::max);
                    count++;
                    complete = position;
                    buffer.reset();
                } else {
                    buffer.write(b);
                }
            }
        }
        if (complete < position) { // a crash mid-append: the source record was not acknowledged and will come again
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(complete);
            }
        }
    }
}
