package io.finetune.distilbert.bench;

import ai.djl.Device;
import io.finetune.distilbert.Autocast;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.Example;
import io.finetune.distilbert.FineTuner;
import io.finetune.distilbert.MklVendorCheck;
import io.finetune.distilbert.ModelFamily;
import io.finetune.distilbert.Precision;
import io.finetune.distilbert.StepProgress;
import io.finetune.distilbert.TrainingConfig;
import io.finetune.distilbert.TrainingListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Training throughput of {@link FineTuner} on the CPU: full steps (forward with dropout, cross-entropy, backward,
 * gradient clipping, AdamW) on random weights and random full-length sequences, so every batch has the same shape.
 * Prints one JSON line; with {@code --max-rss-growth 0.05}, exits 1 when resident memory grows by 5% or more between
 * the end of the warm-up and the last step (native arrays leaking; the caller fixes the JVM heap so it does not count).
 *
 * <p>Lives in the test tree so that it is compiled with the module but never shipped in its jar, and it is not named
 * {@code *Test}: surefire must not run it (a timed test on a shared 2-core machine would only be flaky). Run it
 * through {@code bench/train-throughput}, which sets the thread count and compares with PyTorch eager.
 *
 * <pre>
 * TrainThroughput --shape base|small|tiny [--precision fp32|bf16] [--warmup 3] [--max-steps 1000] [--seconds 150]
 *                 [--batch 8] [--seq 128] [--max-rss-growth 0.05]
 * </pre>
 * Shapes: {@code base} is distilbert-base-uncased, {@code small} all-MiniLM-L6-v2's 6-layer BERT (dim 384, 12 heads,
 * FFN 1536), {@code tiny} the bundled demo model. {@code --precision bf16} trains under libtorch's autocast
 * ({@link io.finetune.distilbert.Autocast}); on a CPU without bf16 support it prints why and exits 3.
 * Timing stops after {@code --max-steps} timed steps, or once {@code --seconds} have passed (0: no time limit).
 * The memory check is off by default: over a few steps of the base shape the allocator is still growing its pools.
 */
public final class TrainThroughput {

    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    private static final int POOL = 512;
    private TrainThroughput() {}

    record Options(String shape, Precision precision, int warmup, int maxSteps, double seconds, int batch, int seq,
                   double maxRssGrowth) {

        static Options parse(String[] args) {
            String shape = null;
            Precision precision = Precision.FP32;
            int warmup = 3;
            int maxSteps = 1000;
            double seconds = 0;
            int batch = 8;
            int seq = 128;
            double maxRssGrowth = 0;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException("Missing value after " + args[i]);
                }
                switch (args[i]) {
                    case "--shape" -> shape = value;
                    case "--precision" -> precision = Precision.ofFlag(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--max-steps" -> maxSteps = Integer.parseInt(value);
                    case "--seconds" -> seconds = Double.parseDouble(value);
                    case "--batch" -> batch = Integer.parseInt(value);
                    case "--seq" -> seq = Integer.parseInt(value);
                    case "--max-rss-growth" -> maxRssGrowth = Double.parseDouble(value);
                    default -> throw new IllegalArgumentException("Unknown option " + args[i]);
                }
                i++;
            }
            if (!List.of("base", "small", "tiny").contains(shape)) {
                throw new IllegalArgumentException("--shape must be base, small or tiny, got " + shape);
            }
            if (warmup < 1 || maxSteps < 1 || batch < 1 || seq < 2 || seconds < 0 || maxRssGrowth < 0) {
                throw new IllegalArgumentException(
                        "--warmup, --max-steps and --batch must be >= 1, --seq >= 2, the rest >= 0");
            }
            return new Options(shape, precision, warmup, maxSteps, seconds, batch, seq, maxRssGrowth);
        }
    }

    public static void main(String[] args) throws IOException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("train-throughput: " + e.getMessage());
            System.exit(2);
            return;
        }
        var unsupported = Autocast.unsupportedReason(options.precision(), Device.cpu());
        if (unsupported.isPresent()) {
            System.err.println("train-throughput: " + unsupported.get());
            System.exit(3);
            return;
        }
        EncoderConfig config = config(options.shape());
        // The tiny fixture has 64 positions: its sequences are as long as the model allows.
        int seq = Math.min(options.seq(), config.maxPositionEmbeddings());
        Result result = run(config, options, seq);
        System.out.println(result.json());
        if (options.maxRssGrowth() > 0 && result.rssGrowth() >= options.maxRssGrowth()) {
            System.err.printf(Locale.ROOT, "train-throughput: %s: resident memory grew by %.1f%% (%.0f -> %.0f MB)"
                    + " over %d steps: arrays are leaking%n", options.shape(), 100 * result.rssGrowth(),
                    result.rssStartMb(), result.rssEndMb(), result.steps());
            System.exit(1);
        }
    }

    static EncoderConfig config(String shape) throws IOException {
        if ("base".equals(shape)) {
            return EncoderConfig.of(768, 3072, 6, 12, 30522, 512, LABELS);
        }
        if ("small".equals(shape)) { // BertConfig's defaults but for the sizes
            return new EncoderConfig(ModelFamily.BERT, 384, 1536, 6, 12, 30522, 512, 2, 0.1, 0.1, 0.1, "gelu", 0.02,
                    1e-12, 0, LABELS, Map.of());
        }
        Path dir = Files.createTempDirectory("train-throughput");
        try {
            BundledModels.extract(BundledModels.DEMO_MODEL, dir);
            return EncoderConfig.read(dir.resolve("config.json"));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /**
     * @param cpuSeconds CPU time of the whole process (all threads) over the timed steps: on a shared machine the
     *     wall time swings with other processes' load, the CPU time a step needs much less
     */
    record Result(String shape, Precision precision, int batch, int seq, long steps, double seconds,
                  double cpuSeconds, double flopsPerToken, double rssStartMb, double rssEndMb, int threads) {

        double tokensPerSecond() {
            return steps * (double) batch * seq / seconds;
        }

        double rssGrowth() {
            return (rssEndMb - rssStartMb) / rssStartMb;
        }

        String json() {
            return String.format(Locale.ROOT, "{\"shape\": \"%s\", \"precision\": \"%s\", \"tokens_per_s\": %.1f, "
                            + "\"gflops\": %.2f, "
                            + "\"rss_mb_start\": %.1f, \"rss_mb_end\": %.1f, \"steps\": %d, \"seconds\": %.2f, "
                            + "\"cpu_s_per_step\": %.3f, \"batch\": %d, \"seq\": %d, \"torch_threads\": %d, "
                            + "\"mkl_vendor_check\": \"%s\"}",
                    shape, precision.flag(), tokensPerSecond(),
                    tokensPerSecond() * flopsPerToken / 1e9, rssStartMb, rssEndMb, steps,
                    seconds, cpuSeconds / steps, batch, seq, threads, MklVendorCheck.outcome());
        }
    }

    static Result run(EncoderConfig config, Options options, int seq) {
        int total = options.warmup() + options.maxSteps();
        List<Example> examples = randomExamples(config, total * options.batch(), seq);
        TrainingConfig training = TrainingConfig.defaults().withBatchSize(options.batch()).withEpochs(1)
                .withMaxLength(seq).withSeed(42).withPrecision(options.precision());
        Clock clock = new Clock(options);
        try (EncoderClassifier model = EncoderClassifier.create(config, 42, Device.cpu())) {
            new FineTuner(training).train(model, examples, List.of(), clock);
        }
        if (clock.timedSteps() < 1) {
            throw new IllegalStateException("No timed step ran");
        }
        return new Result(options.shape(), options.precision(), options.batch(), seq, clock.timedSteps(),
                clock.seconds(), clock.cpuSeconds(), flopsPerToken(config, seq), clock.rssStartMb, clock.rssEndMb,
                Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Training FLOPs per token: 6 × (weights of the transformer's linear layers) for forward and backward of the
     * matrix products, plus attention's QKᵀ and AV, 12 × layers × seq × dim per token
     * (12 × layers × seq² × dim per sequence). Embedding look-ups, the classifier head on [CLS], element-wise ops
     * and AdamW are not counted.
     */
    static double flopsPerToken(EncoderConfig c, int seq) {
        double linearWeights = c.nLayers() * (4.0 * c.dim() * c.dim() + 2.0 * c.dim() * c.hiddenDim());
        return 6 * linearWeights + 12.0 * c.nLayers() * seq * c.dim();
    }

    /**
     * {@code count} examples of random full-length sequences (no padding, so every batch has the same shape) and
     * random labels, cycling through a pool of {@value #POOL} distinct ones: a time-bounded run asks for far more
     * examples than it trains on, and holding them all would take hundreds of MB of heap.
     */
    static List<Example> randomExamples(EncoderConfig config, int count, int seq) {
        Random random = new Random(7);
        List<Example> pool = new ArrayList<>(POOL);
        for (int i = 0; i < Math.min(POOL, count); i++) {
            int[] ids = new int[seq];
            for (int t = 0; t < seq; t++) {
                ids[t] = 1 + random.nextInt(config.vocabSize() - 1);
            }
            pool.add(new Example(ids, random.nextInt(config.numLabels())));
        }
        return new AbstractList<>() {
            @Override
            public Example get(int index) {
                return pool.get(Objects.checkIndex(index, count) % pool.size());
            }

            @Override
            public int size() {
                return count;
            }
        };
    }

    /** Starts the clock and reads RSS after the warm-up steps; stops training after the timed steps or the budget. */
    static final class Clock implements TrainingListener {
        private final Options options;
        private long startNanos;
        private long endNanos;
        private long startCpuNanos;
        private long endCpuNanos;
        private long lastStep;
        double rssStartMb;
        double rssEndMb;

        Clock(Options options) {
            this.options = options;
        }

        @Override
        public void onStep(StepProgress progress) {
            long now = System.nanoTime();
            lastStep = progress.step();
            if (lastStep == options.warmup()) {
                rssStartMb = rssMb();
                startCpuNanos = processCpuNanos();
                startNanos = System.nanoTime();
            } else if (lastStep > options.warmup()) {
                endNanos = now;
                endCpuNanos = processCpuNanos();
                rssEndMb = rssMb();
            }
        }

        @Override
        public boolean isCancelled() {
            if (lastStep <= options.warmup()) {
                return false;
            }
            boolean outOfTime = options.seconds() > 0 && (System.nanoTime() - startNanos) / 1e9 >= options.seconds();
            return timedSteps() >= options.maxSteps() || outOfTime;
        }

        long timedSteps() {
            return Math.max(0, lastStep - options.warmup());
        }

        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }

        double cpuSeconds() {
            return (endCpuNanos - startCpuNanos) / 1e9;
        }
    }

    /** CPU time of this process, all threads (native ones included), in nanoseconds. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        throw new IllegalStateException("This JVM does not report the process CPU time");
    }

    /** VmRSS of this process in MB, from /proc/self/status (Linux). */
    static double rssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("No VmRSS in /proc/self/status");
    }
}
