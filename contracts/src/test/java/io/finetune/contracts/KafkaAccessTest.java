package io.finetune.contracts;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaAccessTest {
    private static final Path ROOT = Path.of("..");

    /** Literal, but for the serving loops' transactional ids, which share a prefix. */
    @Test
    void bindingsAreLiteralAndNeverOnTheCluster() {
        for (KafkaAccess.Grant grant : KafkaAccess.all()) {
            for (AclBinding binding : grant.bindings(KafkaAccess.scramPrincipal(grant.user()))) {
                boolean servingIds = binding.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID
                        && binding.pattern().name().equals(KafkaAccess.SERVING_TRANSACTIONAL_ID_PREFIX);
                assertThat(binding.pattern().patternType()).as(binding.toString())
                        .isEqualTo(servingIds ? PatternType.PREFIXED : PatternType.LITERAL);
                assertThat(binding.pattern().name()).isNotEqualTo("*");
                assertThat(binding.pattern().resourceType()).isIn(ResourceType.TOPIC, ResourceType.GROUP,
                        ResourceType.TRANSACTIONAL_ID);
                assertThat(binding.entry().operation()).isIn(AclOperation.READ, AclOperation.WRITE,
                        AclOperation.DESCRIBE);
                assertThat(binding.entry().principal()).isEqualTo("User:" + grant.user());
            }
        }
    }

    /** Only the serving loops use transactional ids: the evaluator's and each of its serving replicas'. */
    @Test
    void onlyTheEvaluatorHoldsTransactionalIdsTheServingOnes() {
        assertThat(KafkaAccess.all())
                .filteredOn(g -> !g.transactionalIds().isEmpty() || !g.transactionalIdPrefixes().isEmpty())
                .extracting(KafkaAccess.Grant::user).containsExactly(KafkaAccess.EVALUATOR);
        KafkaAccess.Grant evaluator = KafkaAccess.of(KafkaAccess.EVALUATOR);
        assertThat(evaluator.transactionalIdPrefixes()).containsExactly(KafkaAccess.SERVING_TRANSACTIONAL_ID_PREFIX);
        assertThat(evaluator.mayUseTransactionalId(KafkaAccess.SERVING_TRANSACTIONAL_ID)).isTrue();
        assertThat(evaluator.mayUseTransactionalId("evaluator-serving-0")).isTrue();
        assertThat(evaluator.mayUseTransactionalId("evaluator-service")).isFalse();
        assertThat(KafkaAccess.of(KafkaAccess.TRAINER).mayUseTransactionalId("evaluator-serving-0")).isFalse();
    }

    /** The evaluator writes what each deployment serves, its serving replicas read it; nobody else touches it. */
    @Test
    void onlyTheEvaluatorWritesAndReadsDeploymentStates() {
        assertThat(KafkaAccess.all()).filteredOn(g -> g.topics().contains(Topics.DEPLOYMENTS))
                .extracting(KafkaAccess.Grant::user).containsExactly(KafkaAccess.EVALUATOR);
        assertThat(KafkaAccess.of(KafkaAccess.EVALUATOR).topicOperations(Topics.DEPLOYMENTS))
                .containsExactly(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
    }

    @Test
    void onlyTheTrainerAndTheEvaluatorWriteCheckpointsAndTheRawProducerWritesOnlyTheRawTopic() {
        // The trainer writes chunks; the evaluator tombstones of checkpoints nothing needs (docs/delivery.md).
        assertThat(KafkaAccess.all()).filteredOn(g -> g.writes().contains(Topics.CHECKPOINTS))
                .extracting(KafkaAccess.Grant::user).containsExactly(KafkaAccess.TRAINER, KafkaAccess.EVALUATOR);
        KafkaAccess.Grant raw = KafkaAccess.of(KafkaAccess.RAW_PRODUCER);
        assertThat(raw.writes()).containsExactly(Topics.RAW_RECORDS);
        assertThat(raw.reads()).isEmpty();
        assertThat(raw.groups()).isEmpty();
        assertThat(raw.bindings("User:x")).extracting(b -> b.entry().operation())
                .containsExactlyInAnyOrder(AclOperation.WRITE, AclOperation.DESCRIBE);
    }

    @Test
    void principalsFollowStrimzi() {
        assertThat(KafkaAccess.scramPrincipal("finetune-trainer")).isEqualTo("User:finetune-trainer");
        assertThat(KafkaAccess.tlsPrincipal("finetune-trainer")).isEqualTo("User:CN=finetune-trainer");
        assertThat(KafkaAccess.forService("trainer")).isSameAs(KafkaAccess.forService("trainer-service"))
                .extracting(KafkaAccess.Grant::user).isEqualTo(KafkaAccess.TRAINER);
    }

    /** docs/topics.md's "Written by" and "Read by" columns name the same services as KafkaAccess. */
    @Test
    void docsTopicsTableAgrees() throws IOException {
        Map<String, Set<String>> documentedWriters = new HashMap<>();
        Map<String, Set<String>> documentedReaders = new HashMap<>();
        Pattern row = Pattern.compile("^\\| `([a-z.]+)` \\|[^|]*\\|[^|]*\\| ([^|]*) \\| ([^|]*) \\|");
        for (String line : Files.readAllLines(ROOT.resolve("docs/topics.md"))) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                documentedWriters.put(m.group(1), services(m.group(2)));
                documentedReaders.put(m.group(1), services(m.group(3)));
            }
        }
        assertThat(documentedWriters.keySet()).containsExactlyInAnyOrderElementsOf(
                Topics.all().stream().map(Topics.Spec::name).toList());
        for (Topics.Spec spec : Topics.all()) {
            Set<String> writers = new TreeSet<>();
            Set<String> readers = new TreeSet<>();
            for (KafkaAccess.Grant g : KafkaAccess.services()) {
                if (g.writes().contains(spec.name())) {
                    writers.add(g.service());
                }
                if (g.reads().contains(spec.name())) {
                    readers.add(g.service());
                }
            }
            assertThat(documentedWriters.get(spec.name())).as("writers of %s", spec.name()).isEqualTo(writers);
            assertThat(documentedReaders.get(spec.name())).as("readers of %s", spec.name()).isEqualTo(readers);
        }
    }

    private static Set<String> services(String cell) {
        Set<String> out = new TreeSet<>();
        if (cell.contains("every service")) {
            out.addAll(KafkaAccess.services().stream().map(KafkaAccess.Grant::service).toList());
        }
        Matcher m = Pattern.compile("(ingest|preprocess|trainer|evaluator)-service").matcher(cell);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** The committed KafkaUsers are what KafkaAccess renders; -Dkafka-users.write=true rewrites them. */
    @Test
    void committedKafkaUsersAreUpToDate() throws IOException {
        for (KafkaUsersYaml.Flavour flavour : List.of(KafkaUsersYaml.Flavour.values())) {
            Path file = ROOT.resolve(flavour.path);
            String rendered = KafkaUsersYaml.render(flavour);
            if (Boolean.getBoolean("kafka-users.write")) {
                Files.writeString(file, rendered);
            }
            assertThat(Files.exists(file) ? Files.readString(file) : "(missing)")
                    .as("%s is out of date: run the contracts tests with -Dkafka-users.write=true", flavour.path)
                    .isEqualTo(rendered);
        }
    }
}
