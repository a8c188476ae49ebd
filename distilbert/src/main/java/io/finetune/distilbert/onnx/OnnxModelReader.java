package io.finetune.distilbert.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.finetune.distilbert.onnx.proto.ModelProto;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reads an ONNX model (a serialized {@code ModelProto}) from a file or from an entry of a jar. */
public final class OnnxModelReader {
    private OnnxModelReader() {}

    public static ModelProto read(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            return parse(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    public static ModelProto readJarEntry(Path jar, String entry) {
        try (ZipFile zip = new ZipFile(jar.toFile());
             InputStream in = new BufferedInputStream(zip.getInputStream(requireEntry(zip, jar, entry)), 1 << 20)) {
            return parse(in, jar + "!/" + entry);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + entry + " in " + jar, e);
        }
    }

    /** The bytes of one jar entry (the tokenizer), or a clear error naming the entries the jar has. */
    public static byte[] readJarBytes(Path jar, String entry) {
        try (ZipFile zip = new ZipFile(jar.toFile());
             InputStream in = zip.getInputStream(requireEntry(zip, jar, entry))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + entry + " in " + jar, e);
        }
    }

    static ZipEntry requireEntry(ZipFile zip, Path jar, String entry) {
        ZipEntry found = zip.getEntry(entry);
        if (found == null || found.isDirectory()) {
            throw new IllegalArgumentException(jar + " has no entry " + entry + "; its files are "
                    + JarEntries.files(zip));
        }
        return found;
    }

    static ModelProto parse(InputStream stream, String source) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(stream);
        // Exports of BERT-base and even MiniLM are past protobuf's default 64 MB message limit; ONNX itself caps a
        // single protobuf file at 2 GB (larger models keep their weights as external data).
        in.setSizeLimit(Integer.MAX_VALUE);
        ModelProto model;
        try {
            model = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException(source + " is not an ONNX model: " + e.getMessage(), e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new IllegalArgumentException(source + " is not an ONNX model: it has no graph");
        }
        return model;
    }
}
