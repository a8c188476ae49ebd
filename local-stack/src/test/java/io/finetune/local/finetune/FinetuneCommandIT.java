package io.finetune.local.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/finetune as a user runs it, on folders of .eml files the test writes (some without the .eml suffix, as mail
 * corpora keep them): the embedded pipeline starts, trains, and the model directory and report land in --output,
 * with one JSON line last; a served pipeline is used with --url and --api_key, where a misspelt training setting
 * ends the run with one line naming it.
 */
class FinetuneCommandIT {
    private static final Path ROOT = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void writeMail() throws IOException {
        Random random = new Random(3);
        String[] spam = "winner prize claim free money urgent verify password click offer lottery bank".split(" ");
        String[] ham = "meeting agenda lunch project report schedule review notes weekend draft budget".split(" ");
        for (String kind : List.of("spam", "ham")) {
            String[] words = kind.equals("spam") ? spam : ham;
            Path dir = Files.createDirectories(tmp.resolve(kind));
            for (int i = 0; i < 120; i++) {
                StringBuilder subject = new StringBuilder();
                StringBuilder body = new StringBuilder();
                for (int w = 0; w < 4; w++) {
                    subject.append(words[random.nextInt(words.length)]).append(' ');
                }
                for (int w = 0; w < 30; w++) {
                    body.append(words[random.nextInt(words.length)]).append(' ');
                }
                Files.writeString(dir.resolve(String.format("%05d", i) + (i % 2 == 0 ? ".eml" : "")),
                        "From: a" + i + "@example.com\nSubject: " + subject.toString().trim()
                                + "\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n",
                        StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void foldersOfMailBecomeAModelDirectoryAndAReport() throws Exception {
        Path out = tmp.resolve("out");
        Run run = finetune("--input", tmp.resolve("spam").toString(), "--format", "eml", "--label", "spam",
                "--input", tmp.resolve("ham").toString(), "--format", "eml", "--label", "ham",
                "--model", "distilbert-tiny", "--max_length", "48", "--learning_rate", "5e-3",
                "--num_train_epochs", "3", "--output", out.toString());

        assertThat(run.exit()).as(run.stderr()).isZero();
        JsonNode result = Json.MAPPER.readTree(run.lastLine());
        assertThat(result.path("accuracy").asDouble()).as(run.stdout()).isGreaterThan(0.7);
        assertThat(result.has("macro_f1")).isTrue();
        assertThat(result.path("job").asText()).startsWith("job-");
        Path model = Path.of(result.path("model_dir").asText());
        assertThat(model).isEqualTo(out.resolve("model").toAbsolutePath());
        assertThat(model.resolve("config.json")).isRegularFile();
        assertThat(model.resolve("model.safetensors")).isRegularFile();
        assertThat(Json.MAPPER.readTree(model.resolve("training_args.json").toFile()).path("learning_rate")
                .asDouble()).as("what it was trained with, in Hugging Face's names").isEqualTo(5e-3);
        assertThat(Path.of(result.path("report").asText())).isRegularFile();
        assertThat(run.stdout()).contains("/spam: 120 accepted, 0 rejected").contains("step ")
                .contains("\"learningRate\":0.005");
    }

    /**
     * {@code bin/finetune serve} keeps a pipeline running and prints its URLs and key; a second bin/finetune uses it
     * with --url and --api_key (uploading, preparing, then submitting a job whose misspelt setting is refused), and
     * a wrong key ends the run with the 401.
     */
    @Test
    void aRunningDeploymentIsUsedWithUrlAndKeyAndAMisspeltSettingEndsTheRunWithOneLineNamingIt() throws Exception {
        Path served = Files.createTempFile(tmp, "serve", ".txt");
        Process serve = new ProcessBuilder(javaCommand("serve")).redirectErrorStream(true)
                .redirectOutput(served.toFile()).start();
        try {
            String banner = awaitLine(serve, served, "API key");
            Map<String, String> urls = new LinkedHashMap<>();
            Matcher service = Pattern.compile("(?m)^\\s+(\\w+)-service\\s+(http://\\S+)").matcher(banner);
            while (service.find()) {
                urls.put(service.group(1), service.group(2));
            }
            assertThat(urls).as(banner).containsOnlyKeys("ingest", "preprocess", "trainer", "evaluator");
            Matcher key = Pattern.compile("API key\\s+(\\S+)").matcher(banner);
            assertThat(key.find()).isTrue();
            String url = urls.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(","));

            Run typo = finetune("--input", tmp.resolve("spam").toString(), "--format", "eml", "--label", "spam",
                    "--input", tmp.resolve("ham").toString(), "--format", "eml", "--label", "ham",
                    "--model", "distilbert-tiny", "--max_length", "48", "--num_train_epoch", "3",
                    "--url", url, "--api_key", key.group(1), "--output", tmp.resolve("typo").toString());
            assertThat(typo.exit()).as(typo.stdout()).isEqualTo(1);
            assertThat(typo.stdout()).contains("Using the deployment at").contains("/spam: 120 accepted")
                    .doesNotContain("Starting Kafka");
            assertThat(typo.stderr().strip().lines().toList()).singleElement().asString()
                    .startsWith("finetune: HTTP 422")
                    .contains("'num_train_epoch' is not a training setting (did you mean 'num_train_epochs'?)");

            Run wrongKey = finetune("--input", tmp.resolve("spam").toString(), "--format", "eml", "--label", "spam",
                    "--url", url, "--api_key", "not-the-key", "--output", tmp.resolve("key").toString());
            assertThat(wrongKey.exit()).isEqualTo(1);
            assertThat(wrongKey.stderr().strip().lines().toList()).singleElement().asString()
                    .startsWith("finetune: HTTP 401");
        } finally {
            serve.destroy(); // SIGTERM: its shutdown hook stops the services and the broker
            if (!serve.waitFor(2, TimeUnit.MINUTES)) {
                serve.destroyForcibly();
            }
        }
    }

    @Test
    void aMailInputWithoutItsLabelIsRefusedBeforeAnythingStarts() throws Exception {
        Run run = finetune("--input", tmp.resolve("spam").toString(), "--format", "eml", "--output",
                tmp.resolve("x").toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("needs --label");
        assertThat(run.stdout()).doesNotContain("Starting Kafka");
    }

    private record Run(int exit, String stdout, String stderr) {
        String lastLine() {
            List<String> lines = stdout.strip().lines().toList();
            return lines.get(lines.size() - 1);
        }
    }

    private static List<String> javaCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Drepo.root=" + ROOT, "-cp", System.getProperty("java.class.path"),
                FinetuneCommand.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** What the process has written once a line containing {@code marker} appears (within 3 minutes). */
    private static String awaitLine(Process process, Path output, String marker) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            String text = Files.readString(output);
            if (text.contains(marker)) {
                return text;
            }
            if (!process.isAlive()) {
                throw new AssertionError("bin/finetune serve ended:\n" + text);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no '" + marker + "' from bin/finetune serve in 3 minutes:\n"
                + Files.readString(output));
    }

    private static Run finetune(String... args) throws Exception {
        List<String> command = javaCommand(args);
        Path stdout = Files.createTempFile(tmp, "stdout", ".txt");
        Path stderr = Files.createTempFile(tmp, "stderr", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("bin/finetune did not finish in 10 minutes:\n" + Files.readString(stdout));
        }
        return new Run(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }
}
