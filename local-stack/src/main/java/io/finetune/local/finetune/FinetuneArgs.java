package io.finetune.local.finetune;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * bin/finetune's command line. Inputs come as groups: {@code --input PATH} opens one, and the {@code --format},
 * {@code --label} and {@code --split} after it belong to it. Options of this command are below; every other
 * {@code --name value} is a training setting, passed to the trainer under the name given (Hugging Face's
 * {@code TrainingArguments} names or the trainer's own), which refuses names it does not know.
 */
record FinetuneArgs(List<Input> inputs, String dataset, List<String> labels, Mapping mapping, String model,
                    Map<String, Object> preprocessing, Map<String, Object> hyperparameters, Path output,
                    Optional<Remote> remote, boolean serve) {
    /** One file or folder of labelled data. {@code format} null: from the file names. */
    record Input(Path path, String format, String label, String split) {
    }

    /** Which fields of a table or JSON Lines file hold the text, the label and the id (null: the defaults). */
    record Mapping(List<String> textFields, String labelField, String idField) {
    }

    /** A running deployment: each service's base URL and the API key to send. */
    record Remote(Map<String, String> urls, String apiKey) {
        private static final List<String> SERVICES = List.of("ingest-service", "preprocess-service",
                "trainer-service", "evaluator-service");

        /**
         * {@code http://HOST}: the services on the ports compose publishes (8081 to 8084); or each one named,
         * {@code ingest=URL,preprocess=URL,trainer=URL,evaluator=URL} (port-forwards, an ingress per service).
         */
        static Map<String, String> urls(String spec) {
            Map<String, String> urls = new LinkedHashMap<>();
            if (spec.contains("=")) {
                for (String part : spec.split(",")) {
                    String[] kv = part.split("=", 2);
                    String service = kv[0].trim().replaceFirst("-service$", "") + "-service";
                    if (!SERVICES.contains(service)) {
                        throw new IllegalArgumentException("--url names an unknown service '" + kv[0] + "'");
                    }
                    urls.put(service, kv[1].trim().replaceFirst("/+$", ""));
                }
                if (urls.size() != SERVICES.size()) {
                    throw new IllegalArgumentException("--url must name all four services: " + SERVICES);
                }
                return urls;
            }
            java.net.URI base = java.net.URI.create(spec.replaceFirst("/+$", ""));
            if (base.getHost() == null) {
                throw new IllegalArgumentException("--url must look like http://HOST, got '" + spec + "'");
            }
            for (int i = 0; i < SERVICES.size(); i++) {
                urls.put(SERVICES.get(i), base.getScheme() + "://" + base.getHost() + ":" + (8081 + i));
            }
            return urls;
        }
    }

    static final String USAGE = """
            usage: bin/finetune --input PATH [--format F] [--label L] [--split S] [--input ...] --output DIR
                                [--model NAME] [--dataset NAME] [--labels a,b] [--text_fields a,b]
                                [--label_field F] [--id_field F] [--max_length N] [--balance none|undersample]
                                [--validation_fraction X] [--test_fraction X] [--split_seed N]
                                [--url http://HOST] [--api_key KEY] [--<training setting> VALUE ...]
                   bin/finetune serve
              formats: csv, tsv, jsonl, parquet, imdb, eml, mbox (a file, or a folder of them); eml and mbox inputs
              need --label. Training settings take Hugging Face's TrainingArguments names, e.g. --learning_rate 2e-5
              --num_train_epochs 2 --per_device_train_batch_size 16 (docs/training.md lists them).""";

    private static final Set<String> PREPROCESSING = Set.of("max_length", "balance", "validation_fraction",
            "test_fraction", "split_seed");
    private static final Set<String> FORMATS = Set.of("csv", "tsv", "jsonl", "parquet", "imdb", "eml", "mbox");

    static FinetuneArgs parse(String[] args) {
        if (args.length == 1 && args[0].equals("serve")) {
            return new FinetuneArgs(List.of(), null, List.of(), new Mapping(null, null, null), null, Map.of(),
                    Map.of(), null, Optional.empty(), true);
        }
        List<Input> inputs = new ArrayList<>();
        Map<String, Object> preprocessing = new LinkedHashMap<>();
        Map<String, Object> hyperparameters = new LinkedHashMap<>();
        String dataset = null;
        List<String> labels = List.of();
        List<String> textFields = null;
        String labelField = null;
        String idField = null;
        String model = null;
        Path output = null;
        String url = null;
        String apiKey = System.getenv("FINETUNE_API_KEY");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("expected an option, got '" + arg + "'\n" + USAGE);
            }
            String name = arg.substring(2).replace('-', '_');
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            String value = hasValue ? args[++i] : null;
            switch (name) {
                case "help" -> throw new IllegalArgumentException(USAGE);
                case "input" -> inputs.add(new Input(Path.of(required(name, value)), null, null, null));
                case "format", "label", "split" -> {
                    if (inputs.isEmpty()) {
                        throw new IllegalArgumentException("--" + name + " belongs to an input: put it after --input");
                    }
                    Input last = inputs.remove(inputs.size() - 1);
                    String v = required(name, value);
                    if (name.equals("format") && !FORMATS.contains(v.toLowerCase(Locale.ROOT))) {
                        throw new IllegalArgumentException("--format must be one of " + FORMATS + ", got '" + v + "'");
                    }
                    inputs.add(switch (name) {
                        case "format" -> new Input(last.path(), v.toLowerCase(Locale.ROOT), last.label(), last.split());
                        case "label" -> new Input(last.path(), last.format(), v, last.split());
                        default -> new Input(last.path(), last.format(), last.label(), v);
                    });
                }
                case "dataset" -> dataset = required(name, value);
                case "labels" -> labels = List.of(required(name, value).split(","));
                case "text_fields", "text_field" -> textFields = List.of(required(name, value).split(","));
                case "label_field" -> labelField = required(name, value);
                case "id_field" -> idField = required(name, value);
                case "model", "model_name_or_path" -> model = required(name, value);
                case "output", "output_dir" -> output = Path.of(required(name, value));
                case "url" -> url = required(name, value);
                case "api_key" -> apiKey = required(name, value);
                default -> {
                    Object parsed = value == null ? Boolean.TRUE : scalar(value);
                    if (PREPROCESSING.contains(name)) {
                        preprocessing.put(name, parsed);
                    } else {
                        hyperparameters.put(name, parsed);
                    }
                }
            }
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no --input given\n" + USAGE);
        }
        if (output == null) {
            throw new IllegalArgumentException("no --output given: the directory the model and the report go to");
        }
        for (Input input : inputs) {
            boolean mail = "eml".equals(input.format()) || "mbox".equals(input.format());
            if (mail && input.label() == null) {
                throw new IllegalArgumentException("input " + input.path() + " (" + input.format()
                        + ") needs --label: the label of every message in it");
            }
        }
        Optional<Remote> remote = Optional.empty();
        if (url != null) {
            if (apiKey == null || apiKey.isBlank()) {
                throw new IllegalArgumentException("--url needs an API key with the write role: --api_key KEY, or "
                        + "FINETUNE_API_KEY in the environment");
            }
            remote = Optional.of(new Remote(Remote.urls(url), apiKey));
        }
        return new FinetuneArgs(List.copyOf(inputs), dataset, labels, new Mapping(textFields, labelField, idField),
                model, preprocessing, hyperparameters, output, remote, false);
    }

    private static String required(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("--" + name + " needs a value");
        }
        return value;
    }

    /** A number or a boolean where the text is one, the text otherwise: what JSON would carry. */
    static Object scalar(String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException notAnInteger) {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException notANumber) {
                return value;
            }
        }
    }
}
