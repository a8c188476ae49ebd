package io.finetune.trainer;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Json;
import io.finetune.contracts.Shard;
import io.finetune.contracts.ShardCodec;
import io.finetune.contracts.ShardManifest;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.contracts.sample.SampleReviews;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.TextTokenizer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** A tokenized sample-review dataset, as preprocess-service publishes it, for the trainer's tests. */
public record ReviewData(Shard train, Shard validation, ShardManifest manifest) {
    public static final List<String> LABELS = List.of("negative", "positive");

    /** {@code trainCount} training and {@code validationCount} validation reviews tokenized with {@code model}. */
    public static ReviewData of(String dataset, Path model, int trainCount, int validationCount, long seed) {
        List<TokenizedExample> examples = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.load(model, 64)) {
            for (SampleReviews.Review r : SampleReviews.generate(trainCount + validationCount, seed)) {
                examples.add(new TokenizedExample(r.id(), LABELS.indexOf(r.label()),
                        tokenizer.encode(r.text()).intIds()));
            }
        }
        Shard train = new Shard(dataset, "b1", "train", 0, examples.subList(0, trainCount));
        Shard validation = new Shard(dataset, "b1", "validation", 0,
                examples.subList(trainCount, trainCount + validationCount));
        ShardManifest manifest = new ShardManifest(ShardManifest.VERSION, dataset, "b1", LABELS,
                Map.of("train", 1, "validation", 1), Map.of(), "distilbert-tiny", "distilbert-tiny", 64, "h", null);
        return new ReviewData(train, validation, manifest);
    }

    /** As {@link #of}, tokenized with the bundled tiny model, which is extracted into {@code modelDir}. */
    public static ReviewData ofDemoModel(String dataset, Path modelDir, int trainCount, int validationCount,
                                         long seed) {
        return of(dataset, BundledModels.extract(BundledModels.DEMO_MODEL, modelDir), trainCount, validationCount,
                seed);
    }

    /** The same examples as build {@code build} of the dataset (every example of {@link #of} is in build b1). */
    public ReviewData asBuild(String build) {
        return new ReviewData(new Shard(train.dataset(), build, train.split(), train.index(), train.examples()),
                new Shard(validation.dataset(), build, validation.split(), validation.index(), validation.examples()),
                new ShardManifest(manifest.v(), manifest.dataset(), build, manifest.labels(), manifest.shards(),
                        manifest.counts(), manifest.tokenizer(), manifest.model(), manifest.maxLength(),
                        manifest.configHash(), manifest.report()));
    }

    /** What the trainer reads back from the shards topic. */
    public DatasetShards shards() {
        return new DatasetShards(manifest, Map.of("train", train.examples(), "validation", validation.examples()));
    }

    /** Publishes the shards, then the manifest, to {@link Topics#SHARDS}. */
    public void publish(String bootstrapServers) throws Exception {
        publish(Map.of("bootstrap.servers", bootstrapServers));
    }

    /** The same, with full client settings (a secured broker's login, say). */
    public void publish(Map<String, ?> clientConfig) throws Exception {
        Properties props = new Properties();
        props.putAll(clientConfig);
        String dataset = manifest.dataset();
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.SHARDS, dataset, ShardCodec.encode(train))).get();
            producer.send(new ProducerRecord<>(Topics.SHARDS, dataset, ShardCodec.encode(validation))).get();
            ProducerRecord<String, byte[]> m = new ProducerRecord<>(Topics.SHARDS, dataset,
                    Json.write(manifest).getBytes(StandardCharsets.UTF_8));
            m.headers().add(Topics.HEADER_TYPE, "manifest".getBytes(StandardCharsets.UTF_8));
            producer.send(m).get();
        }
    }
}
