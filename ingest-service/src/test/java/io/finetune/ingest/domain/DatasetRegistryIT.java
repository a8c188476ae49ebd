package io.finetune.ingest.domain;

import io.finetune.contracts.PreparationFailed;
import io.finetune.contracts.PreparationOutcome;
import io.finetune.kafka.local.LocalKafkaResource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.finetune.contracts.Topics;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry on the real broker's {@code finetune.ingest.datasets}: what one instance wrote, a restarted instance
 * and another replica see; counts are summed over replicas; creates and seals are decided once across replicas, and
 * a dataset is sealed again only after its preparation failed.
 */
class DatasetRegistryIT {
    private static final LocalKafkaResource KAFKA = new LocalKafkaResource();
    private static Map<String, Object> kafkaConfig;

    @BeforeAll
    static void startKafka() {
        kafkaConfig = Map.of("bootstrap.servers", KAFKA.start().get("kafka.bootstrap.servers"));
    }

    @AfterAll
    static void stopKafka() {
        KAFKA.stop();
    }

    private static DatasetRegistry registry(String replica) {
        DatasetRegistry registry = new DatasetRegistry(new SimpleMeterRegistry(), kafkaConfig, replica,
                Duration.ofMillis(200), Duration.ofSeconds(30));
        registry.start();
        return registry;
    }

    @Test
    void aRestartedInstanceFindsDefinitionSealAndCountsAndCountsOn() throws Exception {
        DatasetDefinition phishing = new DatasetDefinition("restart-set", List.of("Subject", "Body"), "Label",
                List.of("Phishing", "Legitimate"), "Email_ID");
        DatasetRegistry first = registry("restart-a");
        try {
            assertThat(first.create(phishing)).isTrue();
            for (int i = 0; i < 3; i++) {
                first.countAccepted("restart-set");
            }
            first.countRejected("restart-set", "missing-label");
            assertThat(first.seal("restart-set", 1).get()).isEqualTo(3);
            assertThat(first.seal("restart-set", 1).get()).as("sealing now, in this process").isEqualTo(-1);
            first.sealEnded("restart-set", endMarkerAt(7)).get();
            first.countRejected("restart-set", "dataset-sealed");
            first.countsPublished().get();
        } finally {
            first.close();
        }

        DatasetRegistry again = registry("restart-a");
        try {
            assertThat(again.exists("restart-set")).isTrue();
            assertThat(again.definition("restart-set")).isEqualTo(phishing);
            assertThat(again.create(phishing)).isFalse();
            assertThat(again.isSealed("restart-set")).isTrue();
            assertThat(again.seal("restart-set", 1).get()).isEqualTo(-1);
            DatasetStatus status = again.status("restart-set");
            assertThat(status.state()).isEqualTo(DatasetStatus.State.SEALED);
            assertThat(status.accepted()).isEqualTo(3);
            assertThat(status.rejectedByReason()).isEqualTo(Map.of("missing-label", 1L, "dataset-sealed", 1L));
            // Its own counters go on from its last snapshot rather than from zero.
            again.countRejected("restart-set", "dataset-sealed");
            assertThat(again.status("restart-set").rejected()).isEqualTo(3);
        } finally {
            again.close();
        }
    }

    @Test
    void aSealCutShortByACrashIsFinishedByTheNextTryAndThenRefused() throws Exception {
        DatasetRegistry crashed = registry("cut-short");
        try {
            crashed.countAccepted("cut-short-set");
            crashed.countAccepted("cut-short-set");
            assertThat(crashed.seal("cut-short-set", 1).get()).isEqualTo(2);
            // ...and the process dies before its END marker is sent: no sealEnded.
        } finally {
            crashed.close();
        }
        DatasetRegistry restarted = registry("cut-short");
        try {
            assertThat(restarted.isSealed("cut-short-set")).isTrue();
            assertThat(restarted.seal("cut-short-set", 1).get()).as("the claim's count, to send the END marker with")
                    .isEqualTo(2);
            restarted.sealEnded("cut-short-set", endMarkerAt(7)).get();
            assertThat(restarted.seal("cut-short-set", 1).get()).isEqualTo(-1);
        } finally {
            restarted.close();
        }
    }

    @Test
    void twoReplicasShareDatasetsAndSumTheirCounts() throws Exception {
        DatasetRegistry one = registry("replica-1");
        DatasetRegistry two = registry("replica-2");
        try {
            assertThat(one.create(DatasetDefinition.defaults("shared-set"))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> two.exists("shared-set"));
            assertThat(two.create(DatasetDefinition.defaults("shared-set"))).isFalse();
            assertThat(two.isSealed("shared-set")).isFalse();

            one.countAccepted("shared-set");
            one.countAccepted("shared-set");
            one.countRejected("shared-set", "unknown-label");
            for (int i = 0; i < 3; i++) {
                two.countAccepted("shared-set");
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(one.status("shared-set").accepted()).isEqualTo(5);
                assertThat(two.status("shared-set").accepted()).isEqualTo(5);
                assertThat(two.status("shared-set").rejectedByReason()).isEqualTo(Map.of("unknown-label", 1L));
            });

            // A seal publishes the sealing replica's counts first: the END marker's count includes them at once.
            two.countAccepted("shared-set");
            assertThat(two.seal("shared-set", 1).get()).isEqualTo(6);
            two.sealEnded("shared-set", endMarkerAt(7)).get();
            await().atMost(Duration.ofSeconds(10)).until(() -> one.isSealed("shared-set"));
            assertThat(one.seal("shared-set", 1).get()).isEqualTo(-1);
            assertThat(one.status("shared-set").state()).isEqualTo(DatasetStatus.State.SEALED);

            // A dataset only pushed onto the raw topic (never created) is known to the other replica by its counts.
            one.countAccepted("raw-only-set");
            await().atMost(Duration.ofSeconds(10)).until(() -> two.exists("raw-only-set"));
            assertThat(two.definition("raw-only-set")).isEqualTo(DatasetDefinition.defaults("raw-only-set"));
        } finally {
            one.close();
            two.close();
        }
    }

    @Test
    void racingCreatesAndSealsOnTwoReplicasHaveOneWinnerEach() throws Exception {
        DatasetRegistry one = registry("racer-1");
        DatasetRegistry two = registry("racer-2");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String name = "race-" + round;
                List<Boolean> created = both(pool, () -> one.create(DatasetDefinition.defaults(name)),
                        () -> two.create(DatasetDefinition.defaults(name)));
                assertThat(created).containsExactlyInAnyOrder(true, false);
                await().atMost(Duration.ofSeconds(10)).until(() -> one.exists(name) && two.exists(name));
                // The loser of the claim gets -1; one that only saw the winner's claim before its END marker was
                // confirmed finishes the seal too (a second END marker, harmless). Once ended, every seal is refused.
                List<Long> sealed = both(pool, () -> sealAndEnd(one, name, 1), () -> sealAndEnd(two, name, 1));
                assertThat(sealed).contains(0L).allMatch(accepted -> accepted == 0L || accepted == -1L);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(one.seal(name, 1).get()).isEqualTo(-1);
                    assertThat(two.seal(name, 1).get()).isEqualTo(-1);
                });
            }
        } finally {
            pool.shutdownNow();
            one.close();
            two.close();
        }
    }

    @Test
    void aDatasetWhosePreparationFailedIsSealedAgainOnceAndOnlyThen() throws Exception {
        DatasetRegistry one = registry("reseal-1");
        DatasetRegistry two = registry("reseal-2");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            one.countAccepted("reseal-set");
            one.countAccepted("reseal-set");
            assertThat(one.nextSeal("reseal-set", Optional::empty)).isEqualTo(new NextSeal.Allowed(1));
            assertThat(sealAndEnd(one, "reseal-set", 1)).isEqualTo(2);
            assertThat(one.nextSeal("reseal-set", Optional::empty)).as("being prepared")
                    .isInstanceOf(NextSeal.Refused.class);

            Supplier<Optional<PreparationOutcome>> firstFailed = () -> Optional.of(
                    PreparationFailed.of("reseal-set", 1, "unknown-model", "no model 'bert-bsae'"));
            assertThat(one.status("reseal-set", firstFailed).state()).isEqualTo(DatasetStatus.State.FAILED);
            assertThat(one.status("reseal-set", firstFailed).failure().reason()).isEqualTo("unknown-model");
            assertThat(one.nextSeal("reseal-set", firstFailed)).isEqualTo(new NextSeal.Allowed(2));
            await().atMost(Duration.ofSeconds(10)).until(() -> two.isSealEnded("reseal-set", 1));
            List<Long> sealed = both(pool, () -> sealAndEnd(one, "reseal-set", 2),
                    () -> sealAndEnd(two, "reseal-set", 2));
            assertThat(sealed).contains(2L).allMatch(accepted -> accepted == 2L || accepted == -1L);

            await().atMost(Duration.ofSeconds(10)).until(() -> one.isSealEnded("reseal-set", 2)
                    && two.isSealEnded("reseal-set", 2));
            // Seal 1's failure says nothing of seal 2, which preprocess now prepares.
            assertThat(two.status("reseal-set", firstFailed).state()).isEqualTo(DatasetStatus.State.SEALED);
            assertThat(two.nextSeal("reseal-set", firstFailed)).isInstanceOf(NextSeal.Refused.class);
            assertThat(two.seal("reseal-set", 2).get()).as("made already").isEqualTo(-1);
        } finally {
            pool.shutdownNow();
            one.close();
            two.close();
        }
        DatasetRegistry restarted = registry("reseal-1");
        try {
            assertThat(restarted.isSealEnded("reseal-set", 2)).isTrue();
            assertThat(restarted.status("reseal-set").accepted()).isEqualTo(2);
        } finally {
            restarted.close();
        }
    }

    private static long sealAndEnd(DatasetRegistry registry, String name, int number) throws Exception {
        long accepted = registry.seal(name, number).get();
        if (accepted >= 0) {
            registry.sealEnded(name, endMarkerAt(7)).get();
        }
        return accepted;
    }


    /** Where an END marker was acknowledged on the dataset topic (as the producer reports it). */
    private static RecordMetadata endMarkerAt(long offset) {
        return new RecordMetadata(new TopicPartition(Topics.DATASET_RECORDS, 0), offset, 0, 0L, 0, 0);
    }

    /**
     * Where a dataset's records end, as a replica that wrote records asks it after their acknowledgement: open while
     * no seal is claimed; once another replica's claim is visible, the END marker's offset once it is recorded; not
     * known (so nothing is called accepted) when the claim's END marker is not recorded within the wait limit.
     */
    @Test
    void recordsEndIsOpenUntilAClaimThenTheEndMarkersOffset() throws Exception {
        DatasetRegistry writer = registry("ends-writer");
        DatasetRegistry sealer = registry("ends-sealer");
        DatasetRegistry impatient = new DatasetRegistry(new SimpleMeterRegistry(), kafkaConfig, "ends-impatient",
                Duration.ofMillis(200), Duration.ofSeconds(1));
        impatient.start();
        try {
            writer.countAccepted("ends-set");
            await().atMost(Duration.ofSeconds(10)).until(() -> sealer.exists("ends-set"));
            assertThat(writer.recordsEnd("ends-set").get()).isEqualTo(RecordsEnd.OPEN);

            assertThat(sealer.seal("ends-set", 1).get()).isEqualTo(1);
            // The claim is acknowledged: a replica asking now sees it (no waiting for its tail to poll) and waits for
            // the END marker's place.
            CompletableFuture<RecordsEnd> waiting = writer.recordsEnd("ends-set");
            RecordsEnd unknown = impatient.recordsEnd("ends-set").get();
            assertThat(unknown.includes(endMarkerAt(0))).as("the END marker's place not known in time").isFalse();
            assertThat(unknown.why()).contains("not confirmed");
            Thread.sleep(300);
            assertThat(waiting).isNotDone();

            sealer.sealEnded("ends-set", endMarkerAt(42)).get();
            RecordsEnd end = waiting.get(10, TimeUnit.SECONDS);
            assertThat(end).isEqualTo(RecordsEnd.at(0, 42));
            assertThat(end.includes(endMarkerAt(41))).isTrue();
            assertThat(end.includes(endMarkerAt(43))).isFalse();
            assertThat(end.includes(new RecordMetadata(new TopicPartition(Topics.DATASET_RECORDS, 1), 3, 0, 0L, 0, 0)))
                    .as("another partition than the END marker's").isFalse();
            assertThat(impatient.recordsEnd("ends-set").get()).isEqualTo(RecordsEnd.at(0, 42));
        } finally {
            writer.close();
            sealer.close();
            impatient.close();
        }
    }

    private static <T> List<T> both(ExecutorService pool, Callable<T> first, Callable<T> second) throws Exception {
        List<Future<T>> futures = List.of(pool.submit(first), pool.submit(second));
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get());
        }
        return results;
    }
}
