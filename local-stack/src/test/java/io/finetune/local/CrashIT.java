package io.finetune.local;

import io.finetune.local.crash.CrashTrials;
import io.finetune.local.crash.TrialResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The small version of {@code bin/crash-test}: on the real local deployment, with one serving replica beside the
 * evaluator, one SIGKILL of each service, one more of the evaluator while it answers inference requests, one of the
 * serving replica, and one broker restart in each of its windows (while records are
 * ingested, while shards are published, while checkpoints are sent and while the final checkpoint is evaluated), each
 * at a seeded random moment of a full run, and every run must end exactly as the
 * undisturbed one (same shards, job completed, the same checkpoints each evaluated with the same metrics, the same
 * answer for every test text over REST and for every inference request on the topics).
 */
class CrashIT {
    @Test
    void everyServiceKilledOnceAndTheBrokerRestartedCostNothingButTime() {
        Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new TeeStream(System.out, table), true, StandardCharsets.UTF_8);
        List<TrialResult> results = CrashTrials.run(root, root.resolve("local-stack/target/crash-stack"),
                CrashTrials.Options.parse(new String[]{"--trials", "10", "--seed", "7", "--replicas",
                        "evaluator-serving=1", "--targets", "ingest-service,preprocess-service,trainer-service,"
                        + "evaluator-service,evaluator-serving,serving-replica,kafka-broker,kafka-broker-shards,"
                        + "kafka-broker-checkpoints,kafka-broker-evaluation"}), out);

        assertThat(results).hasSize(10);
        assertThat(results).as("trials that did not end as the undisturbed run; table:%n%s",
                table.toString(StandardCharsets.UTF_8)).allSatisfy(r -> {
                    assertThat(r.injected()).as("trial %d hit its target", r.number()).isTrue();
                    assertThat(r.passed()).as("trial %d passed", r.number()).isTrue();
                });
        // The evaluator and its replica share the requests' partitions: in a trial that does not take the replica
        // down while requests flow, both answer (the verdict counts the processes named in the predictions).
        assertThat(results).as("trials whose requests both serving processes answered")
                .anySatisfy(r -> assertThat(r.detail("serving")).hasValueSatisfying(d -> assertThat(d)
                        .contains("answered (by 2)")));
    }

    /** Prints the table as it grows (a long test should show progress) and keeps it for the failure message. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
