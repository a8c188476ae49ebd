package io.finetune.evaluator.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real headless Chromium, to check what a user's browser makes of a page (offline: every network feature that
 * would phone home is switched off). CI installs it with {@code apt-get install -y chromium}.
 */
final class Chromium {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

    static Optional<Path> binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            for (String name : NAMES) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** The DOM after the page loaded and rendered. */
    static String dumpDom(Path binary, String url) throws IOException, InterruptedException {
        return run(binary, List.of("--dump-dom", url));
    }

    static void screenshot(Path binary, String url, Path png) throws IOException, InterruptedException {
        run(binary, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=1280,2000",
                "--hide-scrollbars", url));
    }

    private static String run(Path binary, List<String> args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile-");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(args);
        Path stdout = Files.createTempFile("chromium-", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("chromium did not finish within 90 s: " + command);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("chromium exited with " + process.exitValue() + ": " + command);
            }
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(stdout);
            io.finetune.evaluator.domain.Workspace.deleteTree(profile);
        }
    }

    private Chromium() {
    }
}
