import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.Example;
import io.finetune.distilbert.FineTuner;
import io.finetune.distilbert.Precision;
import io.finetune.distilbert.Predictor;
import io.finetune.distilbert.StepProgress;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.distilbert.TrainingConfig;
import io.finetune.distilbert.TrainingListener;
import io.finetune.distilbert.TrainingResult;
import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * This project's side of bench/transfer-learning: fine-tunes a Hugging Face checkpoint directory with the distilbert
 * library's FineTuner on DIR/train.jsonl and scores DIR/test.jsonl, the way bench/transfer_learning_hf.py does with
 * transformers' Trainer. {@code --init pretrained} loads the checkpoint's weights (a new classification head);
 * {@code --init scratch} builds the same config randomly initialised (Hugging Face's {@code from_config}) and keeps
 * the same tokenizer. No evaluation during training; the model after the last epoch is scored. Prints one JSON line.
 * {@code --precision bf16} trains and scores under bfloat16 autocast (Hugging Face's {@code bf16=True}); the model is
 * then also scored in float32 ({@code fp32_eval_accuracy}), which shows what bfloat16 evaluation alone changes.
 *
 *   java -cp 'distilbert/target/classes:distilbert/target/lib/*' bench/transfer_learning.java --model DIR
 *       --data DIR --init pretrained|scratch --learning-rate 5e-5 --epochs 5 [--batch-size 16] [--warmup-ratio 0.1]
 *       [--weight-decay 0.01] [--max-length 128] [--seed 42] [--precision fp32|bf16]
 */
public class transfer_learning {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("batch-size", "16", "warmup-ratio", "0.1",
                "weight-decay", "0.01", "max-length", "128", "seed", "42", "precision", "fp32"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path model = Path.of(a.get("model"));
        Path data = Path.of(a.get("data"));
        String init = a.get("init");
        long seed = Long.parseLong(a.get("seed"));
        int maxLength = Integer.parseInt(a.get("max-length"));
        Precision precision = Precision.ofFlag(a.get("precision"));
        TrainingConfig config = TrainingConfig.defaults().with(b -> {
            b.learningRate = Double.parseDouble(a.get("learning-rate"));
            b.epochs = Integer.parseInt(a.get("epochs"));
            b.batchSize = Integer.parseInt(a.get("batch-size"));
            b.warmupRatio = Double.parseDouble(a.get("warmup-ratio"));
            b.weightDecay = Double.parseDouble(a.get("weight-decay"));
            b.maxLength = maxLength;
            b.seed = seed;
            b.precision = precision;
        });

        List<Map<String, String>> trainRows = read(data.resolve("train.jsonl"));
        List<Map<String, String>> testRows = read(data.resolve("test.jsonl"));
        List<String> labels = List.copyOf(new TreeSet<>(trainRows.stream().map(r -> r.get("label")).toList()));
        List<Example> train = new ArrayList<>();
        List<int[]> testIds = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.load(model, maxLength)) {
            List<TextTokenizer.Encoded> encoded = tokenizer.encodeBatch(trainRows.stream().map(r -> r.get("text")).toList());
            for (int i = 0; i < encoded.size(); i++) {
                train.add(new Example(encoded.get(i).intIds(), labels.indexOf(trainRows.get(i).get("label"))));
            }
            tokenizer.encodeBatch(testRows.stream().map(r -> r.get("text")).toList())
                    .forEach(e -> testIds.add(e.intIds()));
        }

        Map<String, Object> out = new LinkedHashMap<>();
        try (EncoderClassifier classifier = switch (init) {
            case "pretrained" -> EncoderClassifier.load(model, labels, Device.cpu(), seed);
            case "scratch" -> EncoderClassifier.create(
                    EncoderConfig.read(model.resolve("config.json")).withLabels(labels), seed, Device.cpu());
            default -> throw new IllegalArgumentException("--init pretrained or scratch, not " + init);
        }) {
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            double[] lossSum = new double[1];
            TrainingListener losses = new TrainingListener() {
                @Override
                public void onStep(StepProgress progress) {
                    lossSum[0] += progress.loss();
                }
            };
            TrainingResult result = new FineTuner(config).train(classifier, train, List.of(), losses);
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            double trainCpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
            start = System.nanoTime();
            float[][] logits = Predictor.logits(classifier, testIds, 64, precision);
            double evalSeconds = (System.nanoTime() - start) / 1e9;
            out.put("init", init);
            out.put("precision", precision.flag());
            out.put("accuracy", accuracy(logits, labels, testRows));
            if (precision != Precision.FP32) {
                out.put("fp32_eval_accuracy", accuracy(Predictor.logits(classifier, testIds, 64), labels, testRows));
            }
            out.put("train_s", Math.round(trainSeconds * 10) / 10.0);
            out.put("train_cpu_s", Math.round(trainCpuSeconds * 10) / 10.0);
            out.put("eval_s", Math.round(evalSeconds * 10) / 10.0);
            out.put("steps", result.steps());
            out.put("train_loss", round(lossSum[0] / result.steps())); // the mean over all steps, as Trainer's
            out.put("last_epoch_train_loss", result.finalEpoch() == null ? null : round(result.finalEpoch().trainLoss()));
            out.put("test_examples", logits.length);
        }
        System.out.println(JSON.writeValueAsString(out));
    }

    private static double accuracy(float[][] logits, List<String> labels, List<Map<String, String>> rows) {
        int correct = 0;
        for (int i = 0; i < logits.length; i++) {
            correct += ClassificationMetrics.argmax(logits[i]) == labels.indexOf(rows.get(i).get("label")) ? 1 : 0;
        }
        return round(correct / (double) logits.length);
    }

    private static List<Map<String, String>> read(Path jsonl) throws Exception {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            if (!line.isBlank()) {
                @SuppressWarnings("unchecked")
                Map<String, String> row = JSON.readValue(line, Map.class);
                rows.add(row);
            }
        }
        return rows;
    }

    /**
     * CPU time of the whole process, libtorch's threads included: on a machine shared with other work it moves much
     * less than the wall time does.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
