package io.finetune.distilbert.onnx;

import io.finetune.distilbert.onnx.proto.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The values of an ONNX {@code TensorProto}. ONNX stores them either as little-endian {@code raw_data} (what PyTorch's
 * exporter writes) or in the typed repeated fields; data kept in an external file is not supported, since an export
 * read from a jar has no directory to find that file in.
 */
final class OnnxTensors {
    private OnnxTensors() {}

    static float[] floats(TensorProto t) {
        int count = requireFloats(t);
        float[] values = new float[count];
        if (!t.getRawData().isEmpty()) {
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        } else {
            for (int i = 0; i < count; i++) {
                values[i] = t.getFloatData(i);
            }
        }
        return values;
    }

    /** Checks, without decoding, that {@link #floats} will succeed; returns the element count. */
    static int requireFloats(TensorProto t) {
        requireInline(t);
        if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new IllegalArgumentException("tensor " + describe(t) + " is not float32");
        }
        int count = Math.toIntExact(count(t));
        if (!t.getRawData().isEmpty()) {
            requireBytes(t, 4L * count);
        } else {
            requireValues(t, t.getFloatDataCount(), count);
        }
        return count;
    }

    /** INT64 or INT32 values (shape and index constants). */
    static long[] longs(TensorProto t) {
        requireInline(t);
        int count = Math.toIntExact(count(t));
        long[] values = new long[count];
        boolean raw = !t.getRawData().isEmpty();
        if (t.getDataType() == TensorProto.DataType.INT64_VALUE) {
            if (raw) {
                requireBytes(t, 8L * count);
                t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
            } else {
                requireValues(t, t.getInt64DataCount(), count);
                Arrays.setAll(values, t::getInt64Data);
            }
        } else if (t.getDataType() == TensorProto.DataType.INT32_VALUE) {
            if (raw) {
                requireBytes(t, 4L * count);
                ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                Arrays.setAll(values, i -> b.getInt(4 * i));
            } else {
                requireValues(t, t.getInt32DataCount(), count);
                Arrays.setAll(values, t::getInt32Data);
            }
        } else {
            throw new IllegalArgumentException("tensor " + describe(t) + " is not an integer tensor");
        }
        return values;
    }

    static long count(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** Name, shape and element type, for error messages. */
    static String describe(TensorProto t) {
        return (t.getName().isEmpty() ? "(unnamed)" : t.getName()) + " " + Arrays.toString(dims(t)) + " "
                + typeName(t.getDataType());
    }

    static String typeName(int dataType) {
        TensorProto.DataType type = TensorProto.DataType.forNumber(dataType);
        return type == null ? "data type " + dataType : type.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static void requireInline(TensorProto t) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new IllegalArgumentException("tensor " + describe(t) + " keeps its data in an external file;"
                    + " only exports with the weights inside the .onnx file are supported");
        }
    }

    private static void requireBytes(TensorProto t, long expected) {
        if (t.getRawData().size() != expected) {
            throw new IllegalArgumentException("tensor " + describe(t) + " has " + t.getRawData().size()
                    + " bytes of data, expected " + expected);
        }
    }

    private static void requireValues(TensorProto t, int found, int expected) {
        if (found != expected) {
            throw new IllegalArgumentException("tensor " + describe(t) + " has " + found + " values, expected "
                    + expected);
        }
    }
}
