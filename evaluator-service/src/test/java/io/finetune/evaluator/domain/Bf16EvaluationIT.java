package io.finetune.evaluator.domain;

import ai.djl.Device;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.ShardReader;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.TopicAdmin;
import io.finetune.contracts.Topics;
import io.finetune.distilbert.Autocast;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.Example;
import io.finetune.distilbert.FineTuner;
import io.finetune.distilbert.Precision;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.distilbert.TrainingConfig;
import io.finetune.kafka.local.LocalKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One briefly trained checkpoint scored by {@link CheckpointScorer} twice, in fp32 and in bf16, on a test split the
 * scorer reads from a real broker as the service does: bfloat16 moves test accuracy by at most 0.5 points, and each
 * result records the precision it was computed in.
 */
class Bf16EvaluationIT {
    private static final List<String> LABELS = List.of("NEGATIVE", "POSITIVE");
    /** 0.5 points are 5 of these examples. */
    private static final int TEST_EXAMPLES = 1000;
    private static final int TRAIN_EXAMPLES = 800;
    private static final int MAX_LENGTH = 64;
    private static final String DATASET = "bf16-reviews";
    private static final String BUILD = "build-1";
    private static final int EPOCHS = 6;
    private static final int BATCH_SIZE = 16;
    private static final String CHECKPOINT = "bf16-job-epoch-" + EPOCHS;

    @TempDir
    static Path tmp;
    private static LocalKafka kafka;

    @BeforeAll
    static void needsBfloat16Units() {
        String reason = Autocast.unsupportedReason(Precision.BF16, Device.cpu()).orElse(null);
        System.out.println("Bf16EvaluationIT: CPU " + Autocast.cpuModel() + ", bf16 "
                + (reason == null ? "supported" : "not supported"));
        assumeTrue(reason == null, reason);
        kafka = LocalKafka.onFreePort(tmp.resolve("kafka")).start();
        TopicAdmin.ensureTopics(kafkaConfig(), (short) 1);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.stop();
        }
    }

    @Test
    void bf16MovesTestAccuracyByAtMostHalfAPointAndSaysSo() throws Exception {
        Path base = BundledModels.extract(BundledModels.DEMO_MODEL, tmp.resolve("base"));
        List<TokenizedExample> test = Reviews.tokenized(base, TEST_EXAMPLES, 2, "t");
        publish(test);
        Path archive = trainedCheckpoint(base);

        EvaluationResult fp32 = scorer(Precision.FP32).score(CHECKPOINT, archive).result();
        EvaluationResult bf16 = scorer(Precision.BF16).score(CHECKPOINT, archive).result();
        System.out.printf("Bf16EvaluationIT: %d test examples, accuracy fp32 %.4f, bf16 %.4f (%+.2f points); "
                        + "log loss fp32 %.6f, bf16 %.6f%n", fp32.examples(), fp32.accuracy(), bf16.accuracy(),
                100 * (bf16.accuracy() - fp32.accuracy()), fp32.logLoss(), bf16.logLoss());

        assertThat(fp32.precision()).isEqualTo("fp32");
        assertThat(bf16.precision()).isEqualTo("bf16");
        assertThat(fp32.examples()).isEqualTo(TEST_EXAMPLES);
        assertThat(fp32.accuracy()).as("the model learned the task, so flipped predictions would show")
                .isBetween(0.75, 0.99);
        assertThat(bf16.logLoss()).as("bfloat16 rounding shows: the products did run in bfloat16")
                .isNotEqualTo(fp32.logLoss());
        assertThat(Math.abs(bf16.accuracy() - fp32.accuracy())).isLessThanOrEqualTo(0.005);
    }

    /** What the trainer publishes at the end of a job: the model, its tokenizer and checkpoint.json, zipped. */
    private static Path trainedCheckpoint(Path base) throws Exception {
        Path dir = tmp.resolve(CHECKPOINT);
        List<Example> train = Reviews.tokenized(base, TRAIN_EXAMPLES, 3, "r").stream()
                .map(e -> new Example(e.inputIds(), e.label())).toList();
        // The bundled tiny model has random weights: it learns the task from scratch, at a from-scratch learning rate.
        TrainingConfig config = TrainingConfig.defaults().withLearningRate(5e-3).withBatchSize(BATCH_SIZE)
                .withEpochs(EPOCHS).withMaxLength(MAX_LENGTH);
        try (EncoderClassifier model = EncoderClassifier.load(base, LABELS, Device.cpu())) {
            new FineTuner(config).train(model, train, List.of(), null);
            model.save(dir);
        }
        EncoderClassifier.copyTokenizerFiles(base, dir);
        Files.writeString(dir.resolve(CheckpointInfo.FILE_NAME), Json.write(new CheckpointInfo(CheckpointInfo.VERSION,
                "bf16-job", CHECKPOINT, DATASET, BUILD, BundledModels.DEMO_MODEL, EPOCHS,
                (long) EPOCHS * TRAIN_EXAMPLES / BATCH_SIZE, true, null, null, null, null, List.of())));
        Path archive = tmp.resolve(CHECKPOINT + ".zip");
        Files.write(archive, ModelArchive.zip(dir));
        return archive;
    }

    /** The test split as preprocess publishes it: two shards, then the manifest. */
    private static void publish(List<TokenizedExample> test) throws Exception {
        int half = test.size() / 2;
        List<Shard> shards = List.of(new Shard(DATASET, BUILD, "test", 0, test.subList(0, half)),
                new Shard(DATASET, BUILD, "test", 1, test.subList(half, test.size())));
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, DATASET, BUILD, LABELS,
                Map.of("test", shards.size()), Map.of("test", Map.of("NEGATIVE", count(test, 0),
                "POSITIVE", count(test, 1))), BundledModels.DEMO_MODEL, BundledModels.DEMO_MODEL, MAX_LENGTH,
                "bf16-test", null);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers(), "acks", "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (Shard shard : shards) {
                producer.send(new ProducerRecord<>(Topics.SHARDS, DATASET, ShardCodec.encode(shard))).get();
            }
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.SHARDS, DATASET,
                    Json.write(manifest).getBytes(StandardCharsets.UTF_8));
            record.headers().add(Topics.HEADER_TYPE, "manifest".getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }
    }

    /** The service's scorer with its own data directory, reading the test split from the broker. */
    private static CheckpointScorer scorer(Precision precision) {
        TestEvaluatorConfig config = TestEvaluatorConfig.in(tmp.resolve("evaluator-" + precision.flag()))
                .withPrecision(precision);
        return new CheckpointScorer(new Workspace(config), new TestSetCache(config, new ShardReader(kafkaConfig())),
                config, new EvaluationPrecision(config));
    }

    private static Map<String, Object> kafkaConfig() {
        return Map.of("bootstrap.servers", kafka.bootstrapServers());
    }

    private static int count(List<TokenizedExample> examples, int label) {
        return (int) examples.stream().filter(e -> e.label() == label).count();
    }

    /**
     * Reviews from the tiny model's vocabulary with one to three sentiment words of their label's side among filler
     * words, and one label in ten flipped: a briefly trained model gets most right but not all (at most about 90%),
     * and its least sure examples are where bfloat16 rounding could flip a prediction.
     */
    private static final class Reviews {
        private static final List<String> POSITIVE = List.of("great", "good", "wonderful", "brilliant", "loved",
                "best", "fun", "funny", "amazing", "recommend");
        private static final List<String> NEGATIVE = List.of("bad", "terrible", "awful", "boring", "hated", "worst",
                "dull", "waste", "never", "hate");
        private static final List<String> FILLER = List.of("the", "movie", "film", "story", "plot", "acting",
                "actor", "director", "scene", "was", "is", "this", "it", "very", "really", "time", "watch", "again");

        static List<TokenizedExample> tokenized(Path modelDir, int count, long seed, String idPrefix) {
            Random random = new Random(seed);
            List<String> texts = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int label = i % 2;
                List<String> words = new ArrayList<>();
                pick(words, label == 1 ? POSITIVE : NEGATIVE, 1 + random.nextInt(3), random);
                pick(words, FILLER, 1 + random.nextInt(5), random);
                Collections.shuffle(words, random);
                texts.add(String.join(" ", words));
                labels.add(random.nextInt(10) == 0 ? 1 - label : label);
            }
            List<TokenizedExample> examples = new ArrayList<>();
            try (TextTokenizer tokenizer = TextTokenizer.load(modelDir, MAX_LENGTH)) {
                List<TextTokenizer.Encoded> encoded = tokenizer.encodeBatch(texts);
                for (int i = 0; i < count; i++) {
                    examples.add(new TokenizedExample(idPrefix + i, labels.get(i), encoded.get(i).intIds()));
                }
            }
            return examples;
        }

        private static void pick(List<String> words, List<String> from, int n, Random random) {
            for (int i = 0; i < n; i++) {
                words.add(from.get(random.nextInt(from.size())));
            }
        }
    }
}
