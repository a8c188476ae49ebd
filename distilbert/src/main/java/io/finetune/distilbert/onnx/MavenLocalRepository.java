package io.finetune.distilbert.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds artifacts in the local Maven repository, the directory Maven downloads into: {@code -Dmaven.repo.local} when
 * set, else {@code $MAVEN_REPO_LOCAL}, else {@code ~/.m2/repository}. Only files already there are used; nothing is
 * downloaded.
 */
public final class MavenLocalRepository {
    /** One version of an artifact's jar. */
    public record Jar(String version, Path path) {}

    private final Path root;

    public MavenLocalRepository(Path root) {
        this.root = root;
    }

    public static MavenLocalRepository fromEnvironment(Map<String, String> env) {
        String property = System.getProperty("maven.repo.local");
        if (property != null && !property.isBlank()) {
            return new MavenLocalRepository(Path.of(property));
        }
        String variable = env.get("MAVEN_REPO_LOCAL");
        if (variable != null && !variable.isBlank()) {
            return new MavenLocalRepository(Path.of(variable));
        }
        return new MavenLocalRepository(Path.of(System.getProperty("user.home"), ".m2", "repository"));
    }

    public Path root() {
        return root;
    }

    /** The jars of every version present, newest first. */
    public List<Jar> jars(String groupId, String artifactId) {
        Path dir = root.resolve(groupId.replace('.', '/')).resolve(artifactId);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Jar> jars = new ArrayList<>();
        try (Stream<Path> versions = Files.list(dir)) {
            versions.forEach(v -> {
                String version = v.getFileName().toString();
                Path jar = v.resolve(artifactId + "-" + version + ".jar");
                if (Files.isRegularFile(jar)) {
                    jars.add(new Jar(version, jar));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir, e);
        }
        jars.sort(Comparator.comparing(Jar::version, MavenLocalRepository::compareVersions).reversed());
        return jars;
    }

    public Optional<Jar> newest(String groupId, String artifactId) {
        return jars(groupId, artifactId).stream().findFirst();
    }

    /**
     * Maven's order for the versions that occur here: numbers compare as numbers ({@code 1.19 > 1.11 > 0.36}), and a
     * qualifier such as {@code -beta29} makes a version older than the same numbers without one.
     */
    static int compareVersions(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            if (i >= x.length) {
                return isNumber(y[i]) ? -1 : 1;
            }
            if (i >= y.length) {
                return isNumber(x[i]) ? 1 : -1;
            }
            int c = compareParts(x[i], y[i]);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int compareParts(String a, String b) {
        if (isNumber(a) && isNumber(b)) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        if (isNumber(a) != isNumber(b)) {
            return isNumber(a) ? 1 : -1; // 1.0.1 is newer than 1.0-beta
        }
        String[] pa = a.split("(?<=\\D)(?=\\d)");
        String[] pb = b.split("(?<=\\D)(?=\\d)");
        int c = pa[0].compareTo(pb[0]); // alpha < beta < rc
        if (c != 0 || pa.length < 2 || pb.length < 2 || !isNumber(pa[1]) || !isNumber(pb[1])) {
            return c != 0 ? c : a.compareTo(b);
        }
        return new BigInteger(pa[1]).compareTo(new BigInteger(pb[1])); // beta29 > beta3
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
