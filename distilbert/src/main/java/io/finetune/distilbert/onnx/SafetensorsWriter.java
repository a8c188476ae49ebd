package io.finetune.distilbert.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the imported tensors as float32 safetensors, decoding one tensor at a time. The project's
 * {@code io.finetune.distilbert.Safetensors} writes DJL arrays, which would load the PyTorch engine and hold every
 * tensor twice; an import is plain data conversion that runs where no engine is wanted (the preprocess service
 * resolves a model only for its tokenizer). The layout is the same: an 8-byte little-endian header length, the JSON
 * header padded with spaces to a multiple of 8 bytes, then the data in header order.
 */
final class SafetensorsWriter {
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private SafetensorsWriter() {}

    static void write(Path file, Map<String, BertWeights.Tensor> tensors) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Map.Entry<String, BertWeights.Tensor> e : tensors.entrySet()) {
            long bytes = 4 * OnnxTensors.count(e.getValue().source());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "F32");
            entry.put("shape", e.getValue().shape());
            entry.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = COMPACT.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (BertWeights.Tensor tensor : tensors.values()) {
                float[] values = tensor.values();
                for (int start = 0; start < values.length; start += chunk.capacity() / 4) {
                    int n = Math.min(chunk.capacity() / 4, values.length - start);
                    chunk.clear();
                    chunk.asFloatBuffer().put(values, start, n);
                    out.write(chunk.array(), 0, 4 * n);
                }
            }
        }
    }
}
