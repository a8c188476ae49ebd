package io.finetune.evaluator.serving;

import io.finetune.contracts.ShardManifest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What each deployment serves, as gauges: {@code finetune_serving_checkpoint_info{deployment, checkpoint}} = 1 for the
 * checkpoint it serves now, and {@code finetune_serving_dataset_share{deployment, split, label}}, the share of each
 * label in the train and test splits of that checkpoint's dataset build (its shard manifest's counts). The second is
 * the drift baseline: PromQL divides the rate of predictions per label by all predictions of the deployment and
 * compares. A deployment's series are removed when it moves to another checkpoint, so a dashboard never shows the
 * old checkpoint as served, nor the old dataset's shares.
 */
final class DeployedModelGauges {
    static final String CHECKPOINT_INFO = "finetune.serving.checkpoint.info";
    static final String DATASET_SHARE = "finetune.serving.dataset.share";
    /** train: what the model learnt from (balanced when preprocess balanced it); test: the data as it came. */
    static final List<String> SPLITS = List.of("train", "test");

    private final MeterRegistry registry;
    private final Function<String, Optional<ShardManifest>> dataOf;
    /** Deployment name to the checkpoint its series describe, and those series. */
    private final Map<String, String> shown = new HashMap<>();
    private final Map<String, List<Meter>> meters = new HashMap<>();

    /** @param dataOf a checkpoint's dataset build as evaluated, empty when none is on record */
    DeployedModelGauges(MeterRegistry registry, Function<String, Optional<ShardManifest>> dataOf) {
        this.registry = registry;
        this.dataOf = dataOf;
    }

    /** Brings the series in line with the deployments as they are now; cheap when nothing changed. */
    synchronized void show(List<? extends ServedDeployment> deployments) {
        Map<String, String> now = new HashMap<>();
        deployments.forEach(d -> now.put(d.name(), d.checkpoint()));
        if (now.equals(shown)) {
            return;
        }
        for (String name : List.copyOf(shown.keySet())) {
            if (!shown.get(name).equals(now.get(name))) {
                meters.remove(name).forEach(registry::remove);
                shown.remove(name);
            }
        }
        now.forEach((name, checkpoint) -> {
            if (!shown.containsKey(name)) {
                meters.put(name, register(name, checkpoint));
                shown.put(name, checkpoint);
            }
        });
    }

    private List<Meter> register(String deployment, String checkpoint) {
        List<Meter> registered = new ArrayList<>();
        registered.add(Gauge.builder(CHECKPOINT_INFO, () -> 1)
                .description("1 for the checkpoint a deployment serves now")
                .tags(Tags.of("deployment", deployment, "checkpoint", checkpoint)).register(registry));
        dataOf.apply(checkpoint).ifPresent(data -> {
            for (String split : SPLITS) {
                Map<String, Integer> counts = data.counts().getOrDefault(split, Map.of());
                double total = data.examples(split);
                if (total == 0) {
                    continue;
                }
                for (String label : data.labels()) {
                    double share = counts.getOrDefault(label, 0) / total;
                    registered.add(Gauge.builder(DATASET_SHARE, () -> share)
                            .description("Share of each label in a split of the served checkpoint's dataset")
                            .tags(Tags.of("deployment", deployment, "split", split, "label", label))
                            .register(registry));
                }
            }
        });
        return registered;
    }
}
