package io.finetune.kafka.local;

import io.finetune.contracts.KafkaAccess;
import io.finetune.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One broker that authorizes as the secured overlays do: every {@link KafkaAccess} user, as a SCRAM login and for
 * three of them as a certificate (principal {@code User:CN=<name>}, as Strimzi names TLS users), with exactly the
 * ACLs contracts derives. A service cannot write what it does not own, the raw producer can write the raw topic and
 * nothing else, and no one but the trainer (not even an unauthenticated client of a plaintext listener) can put a
 * checkpoint on the topic the evaluator loads models from.
 */
class KafkaAclTest {
    private static final List<String> TLS_USERS = List.of(KafkaAccess.TRAINER, KafkaAccess.EVALUATOR,
            KafkaAccess.RAW_PRODUCER);
    @TempDir
    static Path data;
    private static LocalKafka kafka;
    private static SecureAccess access;

    @BeforeAll
    static void start() {
        Security security = Security.builder().authorization()
                .scramUsers(KafkaAccess.all().stream().map(KafkaAccess.Grant::user).toList())
                .tlsUsers(TLS_USERS)
                // A plaintext listener too, as a cluster being replayed might have: its clients are User:ANONYMOUS.
                .listeners(EnumSet.of(Security.Listener.SASL_SSL, Security.Listener.PLAINTEXT)).build();
        kafka = LocalKafka.secured(data, security).start().ensureTopics();
        access = kafka.access();
        for (KafkaAccess.Grant grant : KafkaAccess.all()) {
            kafka.grant(grant.bindings(KafkaAccess.scramPrincipal(grant.user())));
            if (TLS_USERS.contains(grant.user())) {
                kafka.grant(grant.bindings(KafkaAccess.tlsPrincipal(grant.user())));
            }
        }
    }

    @AfterAll
    static void stop() {
        kafka.stop();
    }

    @Test
    void aServiceCannotWriteATopicItDoesNotOwn() {
        assertThat(produce(access.scramClient(KafkaAccess.EVALUATOR), Topics.SHARDS))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThat(produce(access.scramClient(KafkaAccess.PREPROCESS), Topics.TRAINING_JOBS))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThat(produce(access.scramClient(KafkaAccess.INGEST), Topics.SHARDS))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThat(produce(access.scramClient(KafkaAccess.TRAINER), Topics.EVALUATIONS))
                .isInstanceOf(TopicAuthorizationException.class);
        // What it owns it writes, with the idempotent producer the services use and no cluster permission.
        assertThat(produce(access.scramClient(KafkaAccess.EVALUATOR), Topics.EVALUATIONS)).isNull();
        assertThat(produce(access.scramClient(KafkaAccess.PREPROCESS), Topics.SHARDS)).isNull();
    }

    @Test
    void theRawProducerWritesTheRawTopicAndNothingElse() {
        Map<String, Object> raw = access.scramClient(KafkaAccess.RAW_PRODUCER);
        assertThat(produce(raw, Topics.RAW_RECORDS)).isNull();
        for (Topics.Spec spec : Topics.all()) {
            if (!spec.name().equals(Topics.RAW_RECORDS)) {
                assertThat(produce(raw, spec.name())).as("raw producer writing %s", spec.name())
                        .isInstanceOf(TopicAuthorizationException.class);
            }
            assertThat(read(raw, spec.name(), null)).as("raw producer reading %s", spec.name())
                    .isInstanceOf(TopicAuthorizationException.class);
        }
        // The same user with its certificate instead of its password.
        Map<String, Object> rawTls = access.mtlsClient(KafkaAccess.RAW_PRODUCER);
        assertThat(produce(rawTls, Topics.RAW_RECORDS)).isNull();
        assertThat(produce(rawTls, Topics.TRAINING_JOBS)).isInstanceOf(TopicAuthorizationException.class);
    }

    /**
     * The evaluator loads whatever model archive arrives on the checkpoints topic: only the trainer may put one, and
     * the evaluator itself, which writes tombstones there to release checkpoints nothing needs (docs/delivery.md).
     */
    @Test
    void aForgedCheckpointIsRefusedFromEveryoneButTheTrainerAndTheEvaluator() {
        Map<String, Map<String, Object>> clients = new LinkedHashMap<>();
        KafkaAccess.all().forEach(g -> clients.put(KafkaAccess.scramPrincipal(g.user()), access.scramClient(g.user())));
        TLS_USERS.forEach(u -> clients.put(KafkaAccess.tlsPrincipal(u), access.mtlsClient(u)));
        clients.put("User:ANONYMOUS", access.plaintextClient());
        List<String> accepted = new ArrayList<>();
        clients.forEach((principal, client) -> {
            Throwable refusal = produce(client, Topics.CHECKPOINTS);
            if (refusal == null) {
                accepted.add(principal);
            } else {
                assertThat(refusal).as(principal).isInstanceOf(AuthorizationException.class);
            }
        });
        assertThat(accepted).containsExactlyInAnyOrder("User:" + KafkaAccess.TRAINER, "User:CN=" + KafkaAccess.TRAINER,
                "User:" + KafkaAccess.EVALUATOR, "User:CN=" + KafkaAccess.EVALUATOR);
    }

    @Test
    void aServiceReadsWithItsOwnGroupOnly() {
        Map<String, Object> evaluator = access.scramClient(KafkaAccess.EVALUATOR);
        assertThat(read(evaluator, Topics.CHECKPOINTS, "evaluator-service")).isNull();
        assertThat(read(evaluator, Topics.CHECKPOINTS, "trainer-service"))
                .isInstanceOf(GroupAuthorizationException.class);
        assertThat(read(evaluator, Topics.TRAINING_JOBS, "evaluator-service"))
                .isInstanceOf(TopicAuthorizationException.class);
        // Shards are read without a group (ShardReader assigns partitions).
        assertThat(read(evaluator, Topics.SHARDS, null)).isNull();
    }

    /** A warm start reads its checkpoint back, settingsFrom an earlier job: the trainer, assigned, without a group. */
    @Test
    void theTrainerReadsCheckpointsAndJobsBackWithoutAGroup() {
        Map<String, Object> trainer = access.scramClient(KafkaAccess.TRAINER);
        assertThat(produce(trainer, Topics.CHECKPOINTS)).isNull();
        assertThat(produce(trainer, Topics.TRAINING_JOBS)).isNull();
        // Records, not only a lag: Describe (which the trainer has as a writer) is enough to learn the end offsets.
        assertThat(readARecord(trainer, Topics.CHECKPOINTS)).isNull();
        assertThat(readARecord(trainer, Topics.TRAINING_JOBS)).isNull();
        assertThat(readARecord(access.scramClient(KafkaAccess.INGEST), Topics.CHECKPOINTS))
                .isInstanceOf(TopicAuthorizationException.class);
    }

    /** Assigns every partition of a topic, no group, and polls until a record comes: null, or the refusal. */
    private static Throwable readARecord(Map<String, Object> client, String topic) {
        Properties props = properties(client);
        props.put("default.api.timeout.ms", "10000");
        props.put("enable.auto.commit", "false");
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1),
                    new TopicPartition(topic, 2)).subList(0, Topics.all().stream()
                    .filter(spec -> spec.name().equals(topic)).findFirst().orElseThrow().partitions());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                if (!consumer.poll(Duration.ofMillis(200)).isEmpty()) {
                    return null;
                }
            }
            throw new AssertionError("no record of " + topic + " came within 20 s");
        } catch (AuthorizationException e) {
            return e;
        }
    }

    /** Applications ask for labels as the inference client; only the evaluator, in its serving group, answers. */
    @Test
    void inferenceClientsAskAndOnlyTheEvaluatorAnswers() {
        Map<String, Object> client = access.scramClient(KafkaAccess.INFERENCE_CLIENT);
        assertThat(produce(client, Topics.INFERENCE_REQUESTS)).isNull();
        assertThat(read(client, Topics.PREDICTIONS, null)).isNull();
        // It can neither forge an answer nor read what others ask.
        assertThat(produce(client, Topics.PREDICTIONS)).isInstanceOf(TopicAuthorizationException.class);
        assertThat(read(client, Topics.INFERENCE_REQUESTS, null)).isInstanceOf(TopicAuthorizationException.class);
        Map<String, Object> evaluator = access.scramClient(KafkaAccess.EVALUATOR);
        assertThat(read(evaluator, Topics.INFERENCE_REQUESTS, KafkaAccess.SERVING_GROUP)).isNull();
        assertThat(produce(evaluator, Topics.PREDICTIONS)).isNull();
        assertThat(produce(access.scramClient(KafkaAccess.TRAINER), Topics.PREDICTIONS))
                .isInstanceOf(TopicAuthorizationException.class);
    }

    /**
     * The evaluator answers each batch of requests in one transaction (predictions and the requests' offsets) under
     * its transactional id, and each serving replica, logged in as the evaluator, under its pod's name; nobody else
     * may use those ids, so nobody can fence the serving loops or commit their offsets.
     */
    @Test
    void theEvaluatorAndItsReplicasAnswerInTheirServingTransactionsAndNobodyElseCan() {
        for (String id : List.of(KafkaAccess.SERVING_TRANSACTIONAL_ID, "evaluator-serving-1")) {
            assertThat(answerInATransaction(access.scramClient(KafkaAccess.EVALUATOR), id)).as(id).isNull();
            assertThat(answerInATransaction(access.scramClient(KafkaAccess.INFERENCE_CLIENT), id)).as(id)
                    .isInstanceOf(TransactionalIdAuthorizationException.class);
            assertThat(answerInATransaction(access.scramClient(KafkaAccess.TRAINER), id)).as(id)
                    .isInstanceOf(TransactionalIdAuthorizationException.class);
        }
        // The prefix is the serving loops' alone: the evaluator gets no other transactional id.
        assertThat(answerInATransaction(access.scramClient(KafkaAccess.EVALUATOR), "evaluator-other"))
                .isInstanceOf(TransactionalIdAuthorizationException.class);
    }

    /** The evaluator writes what each deployment serves; its serving replicas, the same user, read it. */
    @Test
    void theEvaluatorWritesDeploymentStatesAndReadsThemBackAndOthersCannot() {
        Map<String, Object> evaluator = access.scramClient(KafkaAccess.EVALUATOR);
        assertThat(produce(evaluator, Topics.DEPLOYMENTS)).isNull();
        assertThat(read(evaluator, Topics.DEPLOYMENTS, null)).isNull();
        assertThat(produce(access.scramClient(KafkaAccess.INFERENCE_CLIENT), Topics.DEPLOYMENTS))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThat(produce(access.scramClient(KafkaAccess.TRAINER), Topics.DEPLOYMENTS))
                .isInstanceOf(TopicAuthorizationException.class);
    }

    /** One serving transaction, as ServingLoop runs it: null when it committed, else the authorization error. */
    private static Throwable answerInATransaction(Map<String, Object> client, String transactionalId) {
        Properties props = properties(client);
        props.put("transactional.id", transactionalId);
        props.put("max.block.ms", "20000");
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.PREDICTIONS, "request-1".getBytes(StandardCharsets.UTF_8),
                    "{}".getBytes(StandardCharsets.UTF_8)));
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition(Topics.INFERENCE_REQUESTS, 0),
                    new OffsetAndMetadata(0)), new ConsumerGroupMetadata(KafkaAccess.SERVING_GROUP));
            producer.commitTransaction();
            return null;
        } catch (AuthorizationException e) {
            return e;
        }
    }

    /** Produces one record and waits for the answer: null when it was written, else why not. */
    private static Throwable produce(Map<String, Object> client, String topic) {
        Properties props = properties(client);
        props.put("enable.idempotence", "true");
        props.put("acks", "all");
        props.put("max.block.ms", "10000");
        props.put("delivery.timeout.ms", "15000");
        props.put("request.timeout.ms", "10000");
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "forged".getBytes(StandardCharsets.UTF_8),
                    "{}".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (AuthorizationException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("no answer producing to " + topic, e);
        }
    }

    /**
     * Polls a topic, in a group when given (subscribed) or assigned without one: null once a fetch went through, the
     * authorization error otherwise. A poll that returns nothing proves nothing (on a loaded machine the first fetch
     * may not have been answered yet), so it waits until every assigned partition has a lag, which only a fetch
     * response sets.
     */
    private static Throwable read(Map<String, Object> client, String topic, String group) {
        Properties props = properties(client);
        props.put("default.api.timeout.ms", "10000");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        if (group != null) {
            props.put("group.id", group);
        }
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            if (group != null) {
                consumer.subscribe(List.of(topic));
            } else {
                TopicPartition partition = new TopicPartition(topic, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
                Set<TopicPartition> assigned = consumer.assignment();
                if (!assigned.isEmpty() && assigned.stream().allMatch(p -> consumer.currentLag(p).isPresent())) {
                    return null;
                }
            }
            throw new AssertionError("no fetch from " + topic + " answered within 20 s");
        } catch (AuthorizationException e) {
            return e;
        }
    }

    private static Properties properties(Map<String, Object> client) {
        Properties props = new Properties();
        props.putAll(client);
        return props;
    }
}
