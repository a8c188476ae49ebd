package io.finetune.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal reader and writer for the safetensors format: an 8-byte little-endian header length, a JSON header mapping
 * tensor names to {@code dtype}, {@code shape} and {@code data_offsets}, then the raw little-endian data.
 *
 * <p>Written by hand (rather than through DJL) so that tensor names are kept exactly and writing is supported.
 * Reading converts F16 and BF16 to float32, since the model computes in float32.
 */
public final class Safetensors {

    /** One tensor's entry in the header. */
    public record Entry(String dtype, long[] shape, long begin, long end) {}

    private Safetensors() {}

    /** The header entries in file order, without reading the data. */
    public static Map<String, Entry> header(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parseHeader(ch, file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    private static Map<String, Entry> parseHeader(FileChannel ch, Path file) throws IOException {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0);
        long headerLength = len.flip().getLong();
        if (headerLength <= 0 || headerLength > 100_000_000L || 8 + headerLength > ch.size()) {
            throw new IllegalArgumentException(file + " is not a safetensors file (header length " + headerLength + ")");
        }
        ByteBuffer header = ByteBuffer.allocate((int) headerLength);
        readFully(ch, header, 8);
        Map<String, Object> json = ConfigJson.MAPPER.readValue(
                new String(header.array(), StandardCharsets.UTF_8), new TypeReference<LinkedHashMap<String, Object>>() {});
        Map<String, Entry> entries = new LinkedHashMap<>();
        long dataStart = 8 + headerLength;
        for (Map.Entry<String, Object> e : json.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            Map<?, ?> m = (Map<?, ?>) e.getValue();
            List<?> shape = (List<?>) m.get("shape");
            List<?> offsets = (List<?>) m.get("data_offsets");
            long[] dims = shape.stream().mapToLong(x -> ((Number) x).longValue()).toArray();
            entries.put(e.getKey(), new Entry(String.valueOf(m.get("dtype")), dims,
                    dataStart + ((Number) offsets.get(0)).longValue(), dataStart + ((Number) offsets.get(1)).longValue()));
        }
        return entries;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, position + buf.position());
            if (n < 0) {
                throw new IOException("Unexpected end of file");
            }
        }
    }

    /** Reads every tensor as float32 into {@code manager} (on its device), in file order. */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Map<String, Entry> entries = parseHeader(ch, file);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                tensors.put(e.getKey(), readTensor(ch, e.getKey(), e.getValue(), manager));
            }
            return tensors;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    private static NDArray readTensor(FileChannel ch, String name, Entry entry, NDManager manager) throws IOException {
        long count = new Shape(entry.shape()).size();
        long bytes = entry.end() - entry.begin();
        int width = switch (entry.dtype()) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new IllegalArgumentException(
                    "Tensor " + name + " has dtype " + entry.dtype() + "; only F32, F16 and BF16 are supported");
        };
        if (bytes != count * width) {
            throw new IllegalArgumentException("Tensor " + name + " has " + bytes + " bytes for shape "
                    + new Shape(entry.shape()) + " and dtype " + entry.dtype());
        }
        ByteBuffer raw = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, raw, entry.begin());
        raw.flip();
        Shape shape = new Shape(entry.shape());
        return switch (entry.dtype()) {
            case "F32" -> manager.create(raw, shape, DataType.FLOAT32);
            case "BF16" -> manager.create(bf16ToF32(raw, (int) count), shape);
            default -> {
                // float16 → float32 through the engine: Java 17 has no Float.float16ToFloat.
                try (NDManager tmp = manager.newSubManager()) {
                    NDArray half = tmp.create(raw, shape, DataType.FLOAT16);
                    NDArray full = half.toType(DataType.FLOAT32, true);
                    full.attach(manager);
                    yield full;
                }
            }
        };
    }

    private static float[] bf16ToF32(ByteBuffer raw, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = Float.intBitsToFloat((raw.getShort() & 0xffff) << 16);
        }
        return out;
    }

    /** Writes float32 tensors in the given order with {@code __metadata__ {"format":"pt"}}, as PyTorch's saver does. */
    public static void write(Path file, Map<String, NDArray> tensors) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        List<float[]> data = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray array = e.getValue();
            float[] values = array.getDataType() == DataType.FLOAT32
                    ? array.toFloatArray() : toFloat32(array);
            long size = 4L * values.length;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "F32");
            entry.put("shape", array.getShape().getShape());
            entry.put("data_offsets", new long[] {offset, offset + size});
            header.put(e.getKey(), entry);
            data.add(values);
            offset += size;
        }
        try {
            byte[] json = ConfigJson.MAPPER.copy().disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(header);
            // Pad the header with spaces so the data starts 8-byte aligned, as the reference implementation does.
            int padded = (json.length + 7) / 8 * 8;
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                out.write(len.array());
                out.write(json);
                for (int i = json.length; i < padded; i++) {
                    out.write(' ');
                }
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                FloatBuffer floats = chunk.asFloatBuffer();
                for (float[] values : data) {
                    for (int start = 0; start < values.length; start += floats.capacity()) {
                        int n = Math.min(floats.capacity(), values.length - start);
                        floats.clear();
                        floats.put(values, start, n);
                        out.write(chunk.array(), 0, 4 * n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    private static float[] toFloat32(NDArray array) {
        try (NDArray f = array.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }
}
