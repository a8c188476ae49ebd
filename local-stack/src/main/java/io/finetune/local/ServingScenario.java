package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.InferenceRequest;
import io.finetune.contracts.Json;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.Topics;
import io.finetune.kafka.local.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/**
 * Serving as an application uses it: a deployment created over REST on an evaluated checkpoint, texts put on the
 * requests topic (as the application's Kafka producer would), their predictions read back from the predictions topic,
 * and a person's correction of one sent back over REST.
 */
public final class ServingScenario implements AutoCloseable {
    private final LocalStack stack;
    private final PipelineClient client;
    private final KafkaProducer<String, String> producer;

    public ServingScenario(LocalStack stack) {
        this.stack = stack;
        this.client = new PipelineClient(stack);
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    /** {@code POST /deployments}: the deployment serves the checkpoint from now on. */
    public JsonNode deploy(String name, String checkpoint) {
        return client.require(client.post("evaluator-service", "/deployments", "application/json",
                Json.write(Map.of("name", name, "checkpoint", checkpoint))), 201);
    }

    /**
     * {@code POST /deployments/{name}/corrections}: a person's label for a text the deployment classified, back into
     * its dataset as a labeled raw record.
     */
    public JsonNode correct(String deployment, String requestId, String text, String label, String predicted) {
        return client.require(client.post("evaluator-service", "/deployments/" + deployment + "/corrections",
                "application/json", Json.write(Map.of("requestId", requestId, "text", text, "label", label,
                        "predicted", predicted))), 202);
    }

    /** Puts a request on the requests topic, keyed by its id, and waits for Kafka's acknowledgement. */
    public void request(InferenceRequest request) {
        send(request.id(), Json.write(request));
    }

    /** Puts any value on the requests topic (a bad request, say). */
    public void send(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the requests topic refused a request", e.getCause());
        }
    }

    /** The predictions of these request ids, by id; fails when one has none within the timeout. */
    public Map<String, Prediction> awaitPredictions(Set<String> ids, Duration timeout) {
        Map<String, Prediction> found = new HashMap<>();
        try (TopicTail predictions = new TopicTail(stack.bootstrapServers(), Topics.PREDICTIONS)) {
            predictions.pollUntil(r -> collect(r, ids, found) && found.keySet().containsAll(ids), timeout);
        }
        if (!found.keySet().containsAll(ids)) {
            Set<String> missing = new HashSet<>(ids);
            missing.removeAll(found.keySet());
            throw new IllegalStateException(missing.size() + " of " + ids.size() + " requests got no prediction within "
                    + timeout.toSeconds() + " s, e.g. " + List.copyOf(missing).subList(0, 1) + "; see the service logs"
                    + " in " + stack.stateDir().resolve("services"));
        }
        return found;
    }

    /**
     * Every prediction of these request ids, repeats included, by id (read committed), once each id has one and a
     * moment more has passed for a repeat to show; fails when one has none within the timeout.
     */
    public Map<String, List<Prediction>> awaitEveryAnswer(Collection<String> ids, Duration timeout) {
        Set<String> wanted = Set.copyOf(ids);
        Set<String> answered = new HashSet<>();
        Map<String, List<Prediction>> found = new HashMap<>();
        try (TopicTail predictions = new TopicTail(stack.bootstrapServers(), Topics.PREDICTIONS)) {
            predictions.pollUntil(r -> {
                if (wanted.contains(r.key())) {
                    answered.add(r.key());
                }
                return answered.containsAll(wanted);
            }, timeout);
            for (var r : predictions.poll(Duration.ofSeconds(3))) {
                if (wanted.contains(r.key())) {
                    found.computeIfAbsent(r.key(), k -> new ArrayList<>())
                            .add(Json.read(TopicTail.text(r), Prediction.class));
                }
            }
        }
        if (!found.keySet().containsAll(wanted)) {
            Set<String> missing = new HashSet<>(wanted);
            missing.removeAll(found.keySet());
            throw new IllegalStateException(missing.size() + " of " + wanted.size() + " requests got no prediction"
                    + " within " + timeout.toSeconds() + " s, e.g. " + List.copyOf(missing).subList(0, 1));
        }
        return found;
    }

    private static boolean collect(ConsumerRecord<String, byte[]> record, Set<String> ids,
                                   Map<String, Prediction> found) {
        if (ids.contains(record.key())) {
            found.put(record.key(), Json.read(TopicTail.text(record), Prediction.class));
        }
        return true;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
