package io.finetune.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How LocalStack starts the evaluator's serving replicas: names, profile, transactional ids, what it refuses. */
class ServingReplicaTest {
    @Test
    void replicasAreNamedAndTransactLikeTheStatefulSetsPods() {
        assertThat(ServingReplica.first(2)).extracting(ServingReplica::name)
                .containsExactly("evaluator-serving-0", "evaluator-serving-1");
        assertThat(new ServingReplica(1).properties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "quarkus.profile", "prod,serving", "serving.transactional-id", "evaluator-serving-1"));
    }

    @Test
    void aReplicaRunsTheEvaluatorsJarWithItsOwnPortTmpDirAndProperties(@TempDir Path dir) {
        ServingReplica replica = new ServingReplica(0);
        ServiceProcess process = new ServiceProcess(replica.name(), ServingReplica.SERVICE, dir, 18090,
                dir.resolve("services"), replica.properties());

        assertThat(process.name()).isEqualTo("evaluator-serving-0");
        assertThat(process.url()).isEqualTo("http://127.0.0.1:18090");
        assertThat(process.command()).contains("-Dquarkus.profile=prod,serving",
                "-Dserving.transactional-id=evaluator-serving-0", "-Dquarkus.http.port=18090",
                "-Djava.io.tmpdir=" + dir.resolve("services").resolve("evaluator-serving-0-tmp"),
                ServiceProcess.jarOf(dir, "evaluator-service").toString());
    }

    @Test
    void theReplicasMapTakesServingReplicasAndRefusesWhatCannotRun() {
        LocalStack.checkReplicas(Map.of("evaluator-serving", 3, "preprocess-service", 2, "evaluator-service", 1));
        assertThatThrownBy(() -> LocalStack.checkReplicas(Map.of("evaluator-service", 2)))
                .hasMessageContaining("evaluator-service runs as one process");
        assertThatThrownBy(() -> LocalStack.checkReplicas(Map.of("evaluator-servng", 2)))
                .hasMessageContaining("no service evaluator-servng");
        assertThatThrownBy(() -> LocalStack.checkReplicas(Map.of("evaluator-serving", -1)))
                .hasMessageContaining("at least 0");
    }
}
