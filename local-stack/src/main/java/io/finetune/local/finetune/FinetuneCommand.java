package io.finetune.local.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Json;
import io.finetune.local.LocalStack;
import io.finetune.local.PipelineClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * bin/finetune: your own labelled data to a fine-tuned model in one command. Starts the pipeline on this machine (a
 * real Kafka broker and the four services, as bin/demo does) or talks to a running deployment ({@code --url}),
 * imports the inputs, seals and prepares the dataset, trains, and writes the Hugging Face model directory and the
 * evaluation report into {@code --output}. Progress goes to stdout; the last line is one JSON object with the
 * result. Any failure ends it with one line on stderr and a non-zero exit; Ctrl-C stops everything it started.
 */
public final class FinetuneCommand {
    private static final Duration PREPARE_TIMEOUT = Duration.ofHours(1);
    private static final Duration TRAIN_TIMEOUT = Duration.ofHours(24);
    private static final Map<String, String> PREPROCESSING_NAMES = Map.of("max_length", "maxLength", "balance",
            "balance", "validation_fraction", "validationFraction", "test_fraction", "testFraction", "split_seed",
            "seed");

    private final PipelineClient client;
    private final FinetuneArgs args;
    /** Per input, what goes to ingest: read and packed before anything starts, so a bad input costs no waiting. */
    private final Map<FinetuneArgs.Input, List<Upload>> uploads;

    private FinetuneCommand(PipelineClient client, FinetuneArgs args, Map<FinetuneArgs.Input, List<Upload>> uploads) {
        this.client = client;
        this.args = args;
        this.uploads = uploads;
    }

    public static void main(String[] argv) {
        FinetuneArgs args;
        try {
            args = FinetuneArgs.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path root = Path.of(System.getProperty("repo.root", ".")).toAbsolutePath().normalize();
        LocalStack[] stack = new LocalStack[1];
        Thread stopper = new Thread(() -> {
            if (stack[0] != null) {
                stack[0].close();
            }
        });
        Runtime.getRuntime().addShutdownHook(stopper);
        int exit = 0;
        Map<String, Object> result = null;
        Path stackDir = root.resolve("local-stack/target/finetune-stack").resolve(
                String.valueOf(ProcessHandle.current().pid()));
        Path scratch = args.serve() ? null : args.output().resolve(".uploads");
        try {
            Map<FinetuneArgs.Input, List<Upload>> uploads = new LinkedHashMap<>();
            for (FinetuneArgs.Input input : args.inputs()) {
                uploads.put(input, Upload.of(input, scratch));
            }
            PipelineClient client;
            if (args.remote().isPresent()) {
                FinetuneArgs.Remote remote = args.remote().get();
                client = new PipelineClient(remote.urls()::get, remote.apiKey());
                say("Using the deployment at " + remote.urls().values());
            } else {
                say("Starting Kafka and the four services on this machine (about half a minute)");
                // A folder of this process's own: a second bin/finetune (say beside a `serve`) must not wipe it.
                stack[0] = LocalStack.prepare(root, stackDir, 0);
                stack[0].startAll(0);
                client = new PipelineClient(stack[0]);
            }
            if (args.serve()) {
                serve(stack[0]);
                return;
            }
            result = new FinetuneCommand(client, args, uploads).run();
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            System.err.println("finetune: " + message.replaceAll("\\s*\\n\\s*", " "));
            exit = 1;
        } finally {
            if (scratch != null) {
                io.finetune.contracts.Directories.delete(scratch);
            }
            if (stack[0] != null) {
                say("Stopping the services and Kafka");
                stack[0].close();
                if (exit == 0) {
                    io.finetune.contracts.Directories.delete(stackDir); // on failure its logs stay for a look
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook stops the stack
            }
        }
        if (result != null) {
            System.out.println(Json.write(result)); // the last line: scripts read the result from it
        }
        System.exit(exit);
    }

    /** Keeps the embedded stack up for REST and kcat users until Ctrl-C. */
    private static void serve(LocalStack stack) {
        say("The pipeline runs on this machine; Ctrl-C stops it.");
        for (String service : LocalStack.SERVICES) {
            say(String.format("  %-19s %s  (OpenAPI: %s/q/openapi)", service, stack.url(service),
                    stack.url(service)));
        }
        say("  Kafka               " + stack.bootstrapServers() + "  (kcat -b " + stack.bootstrapServers()
                + " -t finetune.ingest.raw -P -K:)");
        say("  API key             " + stack.apiKey() + "  (send it as X-API-Key; it reads and writes)");
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Map<String, Object> run() {
        String dataset = args.dataset() != null ? args.dataset()
                : "finetune-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        createDataset(dataset);
        long sent = importInputs(dataset);
        JsonNode sealed = seal(dataset, sent);
        say(String.format("  ingest: %d accepted, %d rejected %s", sealed.path("accepted").asLong(),
                sealed.path("rejected").asLong(), sealed.path("rejectedByReason")));
        JsonNode prepared = awaitPrepared(dataset);
        say("  prepared: " + prepared.path("manifest").path("counts"));
        String jobId = submit(dataset);
        JsonNode finished = follow(jobId);
        say("  " + finished.path("message").asText());
        String checkpoint = jobId + "-final";
        JsonNode evaluation = client.await("evaluator-service", "/evaluations/" + checkpoint,
                e -> e.has("accuracy"), Duration.ofMinutes(30));
        printEvaluation(evaluation);
        JsonNode advice = client.require(client.get("evaluator-service", "/evaluations/" + checkpoint + "/advice"),
                200);
        printAdvice(advice);
        Path modelDir = saveModel(checkpoint);
        Path report = args.output().resolve("report.html").toAbsolutePath();
        client.download("evaluator-service", "/evaluations/" + checkpoint + "/report", report);
        say("Model: " + modelDir + "\nReport: " + report);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("accuracy", evaluation.path("accuracy").asDouble());
        result.put("macro_f1", evaluation.path("macroF1").asDouble());
        result.put("model_dir", modelDir.toString());
        result.put("report", report.toString());
        result.put("job", jobId);
        result.put("checkpoint", checkpoint);
        result.put("dataset", dataset);
        result.put("test_examples", evaluation.path("examples").asInt());
        result.put("advice", advice.findValuesAsText("code"));
        return result;
    }

    private void createDataset(String dataset) {
        List<String> labels = args.labels();
        if (labels.isEmpty() && args.inputs().stream().allMatch(i -> i.label() != null)) {
            labels = args.inputs().stream().map(FinetuneArgs.Input::label).distinct().toList();
        }
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("name", dataset);
        if (!labels.isEmpty()) {
            definition.put("labels", labels);
        }
        FinetuneArgs.Mapping mapping = args.mapping();
        if (mapping.textFields() != null) {
            definition.put("textFields", mapping.textFields());
        }
        if (mapping.labelField() != null) {
            definition.put("labelField", mapping.labelField());
        }
        if (mapping.idField() != null) {
            definition.put("idField", mapping.idField());
        }
        client.require(client.post("ingest-service", "/datasets", "application/json", Json.write(definition)), 201);
        say("Dataset " + dataset + (labels.isEmpty() ? "" : ", labels " + labels));
    }

    /** @return how many records ingest counted (accepted and rejected), so the seal waits for all of them */
    private long importInputs(String dataset) {
        long counted = 0;
        for (FinetuneArgs.Input input : args.inputs()) {
            for (Upload upload : uploads.get(input)) {
                StringBuilder query = new StringBuilder("?format=" + upload.format());
                if (input.label() != null) {
                    query.append("&label=").append(URLEncoder.encode(input.label(), StandardCharsets.UTF_8));
                }
                if (input.split() != null) {
                    query.append("&split=").append(URLEncoder.encode(input.split(), StandardCharsets.UTF_8));
                }
                JsonNode report = client.require(client.postFile("ingest-service", "/datasets/" + dataset
                        + "/import" + query, upload.contentType(), upload.file()), 200);
                long accepted = report.path("accepted").asLong();
                long rejected = report.path("rejected").asLong();
                counted += accepted + rejected;
                say(String.format("  %s: %d accepted, %d rejected%s", upload.source(), accepted, rejected,
                        rejected == 0 ? "" : ", first reasons " + firstReasons(report.path("errors"))));
            }
        }
        return counted;
    }

    private JsonNode seal(String dataset, long counted) {
        Map<String, Object> options = new LinkedHashMap<>();
        if (args.model() != null) {
            // Any scratch shape trains on a vocabulary built from the dataset: preprocess builds it for "scratch".
            options.put("model", args.model().startsWith("scratch") ? "scratch" : args.model());
        }
        args.preprocessing().forEach((name, value) -> options.put(PREPROCESSING_NAMES.get(name), value));
        client.await("ingest-service", "/datasets/" + dataset,
                s -> s.path("accepted").asLong() + s.path("rejected").asLong() >= counted, Duration.ofMinutes(10));
        say("Sealing " + dataset + (options.isEmpty() ? "" : " with " + options));
        return client.require(client.post("ingest-service", "/datasets/" + dataset + "/seal", "application/json",
                Json.write(options)), 200);
    }

    private JsonNode awaitPrepared(String dataset) {
        say("Preparing (cleaning, splitting, tokenizing)");
        long deadline = System.nanoTime() + PREPARE_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            PipelineClient.Answer answer = client.get("preprocess-service", "/datasets/" + dataset);
            if (answer.status() == 200) {
                String state = answer.body().path("state").asText();
                if (state.equals("READY")) {
                    return answer.body();
                }
                if (state.equals("FAILED")) {
                    throw new IllegalStateException("preparing " + dataset + " failed ("
                            + answer.body().path("reason").asText() + "): " + answer.body().path("detail").asText());
                }
                String now = state + ", " + answer.body().path("received").asLong() + " records received";
                if (!now.equals(last)) {
                    say("  " + now);
                    last = now;
                }
            }
            sleep(1000);
        }
        throw new IllegalStateException("preparing " + dataset + " took longer than " + PREPARE_TIMEOUT.toMinutes()
                + " minutes");
    }

    private String submit(String dataset) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("dataset", dataset);
        if (args.model() != null) {
            job.put("baseModel", args.model());
        }
        Map<String, Object> settings = new LinkedHashMap<>(args.hyperparameters());
        if (args.preprocessing().containsKey("max_length") && !settings.containsKey("max_length")
                && !settings.containsKey("maxLength")) {
            // One length for both: the tokenizer cut the texts there, and the model needs no more positions.
            settings.put("max_length", args.preprocessing().get("max_length"));
        }
        job.put("hyperparameters", settings);
        JsonNode accepted = client.require(client.post("trainer-service", "/jobs", "application/json",
                Json.write(job)), 202);
        String jobId = accepted.path("jobId").asText();
        say("Training job " + jobId + " on " + accepted.path("baseModel").asText()
                + (settings.isEmpty() ? " with the default settings" : " with " + settings));
        return jobId;
    }

    /** Polls the job until it ends, printing where it stands every few percent; returns the finished status. */
    private JsonNode follow(String jobId) {
        long deadline = System.nanoTime() + TRAIN_TIMEOUT.toNanos();
        long lastPrinted = -1;
        long lastPrintNanos = 0;
        boolean settingsShown = false;
        while (System.nanoTime() < deadline) {
            PipelineClient.Answer answer = client.get("trainer-service", "/jobs/" + jobId);
            if (answer.status() == 404) { // the job travels over its topic to the worker: not registered yet
                sleep(500);
                continue;
            }
            JsonNode status = client.require(answer, 200);
            String state = status.path("state").asText();
            if (!settingsShown && state.equals("RUNNING") && status.hasNonNull("device")) {
                say("  on " + status.path("device").asText() + ", settings " + status.path("hyperparameters"));
                settingsShown = true;
            }
            if (Set.of("COMPLETED", "FAILED", "CANCELLED").contains(state)) {
                if (!state.equals("COMPLETED")) {
                    throw new IllegalStateException("job " + jobId + " " + state + ": "
                            + status.path("message").asText());
                }
                return status;
            }
            long step = status.path("step").asLong(0);
            long total = status.path("totalSteps").asLong(0);
            boolean moved = total > 0 && (step - lastPrinted) * 20 >= total;
            if (step > 0 && step != lastPrinted && (moved || System.nanoTime() - lastPrintNanos > 30e9)) {
                say(String.format("  step %d/%d (%d%%), epoch %s, loss %.4f, %.0f tokens/s, ETA %s", step, total,
                        total == 0 ? 0 : 100 * step / total, status.path("epoch").asText("?"),
                        status.path("loss").asDouble(Double.NaN), status.path("tokensPerSecond").asDouble(0),
                        eta(status.path("etaSeconds"))));
                lastPrinted = step;
                lastPrintNanos = System.nanoTime();
            }
            sleep(1000);
        }
        throw new IllegalStateException("job " + jobId + " did not finish within " + TRAIN_TIMEOUT.toHours()
                + " hours");
    }

    private Path saveModel(String checkpoint) {
        Path dir = args.output().resolve("model").toAbsolutePath();
        Path zip = args.output().resolve("model.zip");
        try {
            Files.createDirectories(args.output());
            client.download("evaluator-service", "/evaluations/" + checkpoint + "/model", zip);
            io.finetune.contracts.Directories.delete(dir);
            unzipModel(zip, checkpoint, dir);
            Files.delete(zip);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The evaluator's model zip holds one folder named after the checkpoint, with the Hugging Face files in it: they
     * go straight into {@code dir}. Any other entry (a path elsewhere, a nested folder) is refused.
     */
    private static void unzipModel(Path zip, String checkpoint, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (java.util.zip.ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                String name = entry.getName();
                String file = name.startsWith(checkpoint + "/") ? name.substring(checkpoint.length() + 1) : "";
                if (entry.isDirectory() && file.isEmpty()) {
                    continue;
                }
                if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
                    throw new IllegalStateException("the model archive has an unexpected entry '" + name + "'");
                }
                Files.copy(in, dir.resolve(file));
            }
        }
    }

    private static void printEvaluation(JsonNode e) {
        say(String.format("%nTest split: %d examples, accuracy %.4f, macro F1 %.4f, log loss %.4f",
                e.path("examples").asInt(), e.path("accuracy").asDouble(), e.path("macroF1").asDouble(),
                e.path("logLoss").asDouble()));
        for (JsonNode c : e.path("perClass")) {
            say(String.format("  %-24s precision %.3f  recall %.3f  F1 %.3f  (%d)", c.path("label").asText(),
                    c.path("precision").asDouble(), c.path("recall").asDouble(), c.path("f1").asDouble(),
                    c.path("support").asInt()));
        }
    }

    private static void printAdvice(JsonNode advice) {
        if (advice.isEmpty()) {
            say("Advice: nothing to change.");
            return;
        }
        say("Advice:");
        for (JsonNode finding : advice) {
            say("  " + finding.path("title").asText() + ": " + finding.path("evidence").asText());
            say("    -> " + finding.path("suggestion").asText());
        }
    }

    private static String firstReasons(JsonNode errors) {
        List<String> reasons = new java.util.ArrayList<>();
        for (JsonNode error : errors) {
            if (reasons.size() == 3) {
                break;
            }
            reasons.add(error.toString());
        }
        return String.join(", ", reasons);
    }

    private static String eta(JsonNode seconds) {
        if (!seconds.isNumber()) {
            return "?";
        }
        long s = Math.round(seconds.asDouble());
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }

    private static void say(String line) {
        System.out.println(line);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
