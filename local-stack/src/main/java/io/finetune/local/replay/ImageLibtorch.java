package io.finetune.local.replay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The images' {@code /opt/libtorch}: the trainer's and evaluator's Dockerfiles extract
 * {@code pytorch/cpu/linux-x86_64/*} from the packaged pytorch-native jar into it and point PYTORCH_LIBRARY_PATH
 * there. The replay does the same from the same jar, so it runs the library the image would.
 */
final class ImageLibtorch {
    private static final String PREFIX = "pytorch/cpu/linux-x86_64/";

    static Path extract(Path repoRoot, Path dir) {
        Path libs = repoRoot.resolve("trainer-service/target/quarkus-app/lib/main");
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(libs,
                "ai.djl.pytorch.pytorch-native-cpu-*-linux-x86_64.jar")) {
            for (Path jar : jars) {
                Files.createDirectories(dir);
                try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
                    for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                        String name = entry.getName();
                        if (!entry.isDirectory() && name.startsWith(PREFIX) && !name.substring(PREFIX.length())
                                .contains("/")) {
                            copy(zip, dir.resolve(name.substring(PREFIX.length())));
                        }
                    }
                }
                if (!Files.exists(dir.resolve("libtorch.so"))) {
                    throw new IllegalStateException(jar + " has no " + PREFIX + "libtorch.so (the Dockerfile tests "
                            + "for it too)");
                }
                return dir;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract libtorch from " + libs, e);
        }
        throw new IllegalStateException("no pytorch-native-cpu jar in " + libs + ": package trainer-service first");
    }

    private static void copy(InputStream in, Path file) throws IOException {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private ImageLibtorch() {
    }
}
