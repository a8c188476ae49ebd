package io.finetune.contracts;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may do what on Kafka: per Kafka user (one per service, one for people who push raw records with kcat, one for
 * applications that ask for predictions), the topics it writes, the topics it reads and the consumer groups it joins.
 * The single source of the ACLs that the secured Kubernetes overlays give their {@code KafkaUser}s
 * (k8s/components/kafka-users, generated from this class by {@link KafkaUsersYaml}) and that the secured local broker
 * enforces in tests; docs/topics.md's writers and readers are checked against it.
 *
 * <p>Derived from the code, not from intentions: every channel in the services' application.properties, and the
 * clients they make themselves ({@link ShardReader} in all four, ingest's registry log and the evaluator's reading of
 * it ({@link DatasetDefinitions}), the evaluator's serving consumer, the trainer's readers of earlier jobs and of
 * warm-start checkpoints). No service creates topics (compose's kafka-topics container, Strimzi's topic operator or
 * the test harness do); one producer uses transactions (the serving loop of the evaluator and of each serving replica,
 * under transactional ids that start with {@link #SERVING_TRANSACTIONAL_ID_PREFIX}), and the idempotent producers need
 * no cluster permission: WRITE on a topic lets a client get a producer id
 * (KIP-679).
 *
 * <p>Least privilege: literal topic and group names only, transactional ids literal or by a prefix that only the
 * serving loops use, no wildcard, nothing on the cluster, no CREATE, DELETE or ALTER. DESCRIBE is granted explicitly beside WRITE and READ (Kafka implies it; Strimzi's examples and operators
 * reading the ACLs see it stated).
 */
public final class KafkaAccess {
    public static final String INGEST = "finetune-ingest";
    public static final String PREPROCESS = "finetune-preprocess";
    public static final String TRAINER = "finetune-trainer";
    public static final String EVALUATOR = "finetune-evaluator";
    /** For people pushing labeled records with kcat or any client: write the raw topic, nothing else, read nothing. */
    public static final String RAW_PRODUCER = "finetune-raw-producer";
    /**
     * For applications that ask for labels: write inference requests, read predictions and which model was promoted
     * (assigned, no group).
     */
    public static final String INFERENCE_CLIENT = "finetune-inference-client";
    /** The consumer group of the evaluator's serving consumers: each request is answered by one replica. */
    public static final String SERVING_GROUP = "evaluator-serving";
    /**
     * The transactional id of the evaluator's serving producer: a batch's predictions, its dead letters and its
     * request offsets are committed together (docs/serving.md). Stable across restarts, so a restarted evaluator
     * aborts what its killed predecessor left open at once instead of after the transaction timeout.
     */
    public static final String SERVING_TRANSACTIONAL_ID = "evaluator-serving";
    /**
     * What every serving loop's transactional id starts with: the evaluator's ({@link #SERVING_TRANSACTIONAL_ID}) and
     * each serving replica's, which is its pod's name ({@code evaluator-serving-0}, ...), stable across its restarts
     * for the same reason. The replicas log in as {@link #EVALUATOR}; a prefix grants them all without listing them.
     */
    public static final String SERVING_TRANSACTIONAL_ID_PREFIX = "evaluator-serving";

    /**
     * One Kafka user's rights.
     *
     * @param user    the Kafka user name (the KafkaUser's name on Kubernetes)
     * @param service the service that logs in as this user, or null for a user of people
     * @param writes  topics it produces to
     * @param reads   topics it consumes
     * @param groups  consumer groups it joins (commits offsets in)
     * @param transactionalIds transactional ids its producers use, each exactly
     * @param transactionalIdPrefixes what the transactional ids of its producers start with, where each replica has
     *                                its own id (Kafka's PREFIXED pattern, Strimzi's {@code patternType: prefix})
     */
    public record Grant(String user, String service, Set<String> writes, Set<String> reads, Set<String> groups,
                        Set<String> transactionalIds, Set<String> transactionalIdPrefixes) {
        public Grant {
            writes = Set.copyOf(writes);
            reads = Set.copyOf(reads);
            groups = Set.copyOf(groups);
            transactionalIds = Set.copyOf(transactionalIds);
            transactionalIdPrefixes = Set.copyOf(transactionalIdPrefixes);
        }

        Grant(String user, String service, Set<String> writes, Set<String> reads, Set<String> groups) {
            this(user, service, writes, reads, groups, Set.of(), Set.of());
        }

        /** Whether a producer of this user may use the transactional id. */
        public boolean mayUseTransactionalId(String id) {
            return transactionalIds.contains(id) || transactionalIdPrefixes.stream().anyMatch(id::startsWith);
        }

        /** The operations this user has on a topic, in a fixed order (Read, Write, Describe); empty when none. */
        public List<AclOperation> topicOperations(String topic) {
            List<AclOperation> operations = new ArrayList<>();
            if (reads.contains(topic)) {
                operations.add(AclOperation.READ);
            }
            if (writes.contains(topic)) {
                operations.add(AclOperation.WRITE);
            }
            if (!operations.isEmpty()) {
                operations.add(AclOperation.DESCRIBE);
            }
            return operations;
        }

        /** Every topic it touches, sorted. */
        public Set<String> topics() {
            Set<String> topics = new TreeSet<>(writes);
            topics.addAll(reads);
            return topics;
        }

        /**
         * Per resource, the operations: what a Strimzi {@code KafkaUser}'s ACL rules list. Topics, then groups, then
         * transactional ids, literal then prefixed.
         */
        public Map<ResourcePattern, List<AclOperation>> rules() {
            Map<ResourcePattern, List<AclOperation>> rules = new LinkedHashMap<>();
            for (String topic : topics()) {
                rules.put(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL), topicOperations(topic));
            }
            for (String group : new TreeSet<>(groups)) {
                // READ on the group: join, sync, heartbeat, commit and fetch offsets (READ implies DESCRIBE).
                rules.put(new ResourcePattern(ResourceType.GROUP, group, PatternType.LITERAL),
                        List.of(AclOperation.READ));
            }
            // WRITE: begin, add partitions and offsets, commit or abort; DESCRIBE: find the coordinator.
            List<AclOperation> transactions = List.of(AclOperation.WRITE, AclOperation.DESCRIBE);
            for (String transactionalId : new TreeSet<>(transactionalIds)) {
                rules.put(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, transactionalId, PatternType.LITERAL),
                        transactions);
            }
            for (String prefix : new TreeSet<>(transactionalIdPrefixes)) {
                rules.put(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED),
                        transactions);
            }
            return rules;
        }

        /** The rules as Kafka ACL bindings for {@code principal} ({@link #scramPrincipal} or {@link #tlsPrincipal}). */
        public List<AclBinding> bindings(String principal) {
            List<AclBinding> bindings = new ArrayList<>();
            rules().forEach((resource, operations) -> operations.forEach(operation -> bindings.add(new AclBinding(
                    resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)))));
            return bindings;
        }
    }

    private static final Map<String, Grant> GRANTS = index(List.of(
            new Grant(INGEST, "ingest-service",
                    // dataset records and dead letters out; seal markers (END records of datasets sealed over REST)
                    // go back onto the raw topic so they are ordered after the records; the registry is written and
                    // tailed by every replica.
                    Set.of(Topics.DATASET_RECORDS, Topics.RAW_RECORDS, Topics.DATASET_REGISTRY, Topics.DEAD_LETTERS),
                    // raw records (group), the registry (assigned, no group), shards for a dataset's prepared status.
                    Set.of(Topics.RAW_RECORDS, Topics.DATASET_REGISTRY, Topics.SHARDS),
                    Set.of("ingest-service")),
            new Grant(PREPROCESS, "preprocess-service",
                    Set.of(Topics.SHARDS, Topics.DEAD_LETTERS),
                    // dataset records (group); shards for the newest manifest of a dataset (a rebuild's check).
                    Set.of(Topics.DATASET_RECORDS, Topics.SHARDS),
                    Set.of("preprocess-service")),
            new Grant(TRAINER, "trainer-service",
                    // jobs: the REST API submits them onto the topic its own consumer reads.
                    Set.of(Topics.TRAINING_JOBS, Topics.PROGRESS, Topics.CHECKPOINTS, Topics.DEAD_LETTERS),
                    // jobs: the consumer (group), and an earlier job's settings for settingsFrom (assigned);
                    // checkpoints: a warm start's checkpoint that is no longer on the trainer's disk (assigned).
                    Set.of(Topics.TRAINING_JOBS, Topics.SHARDS, Topics.CHECKPOINTS),
                    Set.of("trainer-service")),
            new Grant(EVALUATOR, "evaluator-service",
                    // predictions: the serving consumers answer inference requests (a plain client, docs/serving.md);
                    // promotions: the promotion decisions, a plain producer too; jobs: a deployment's retraining
                    // (docs/serving.md#retraining), the same producer; raw: corrections of predictions go back into
                    // their dataset as labeled raw records (POST /deployments/{name}/corrections); checkpoints:
                    // tombstones that release checkpoints nothing needs any more (docs/delivery.md, Retention), never
                    // chunks. shards: test sets, and new builds (assigned). registry: the text fields of a
                    // deployed checkpoint's dataset, to read a request's raw record as ingest does (assigned).
                    // deployments: what each deployment serves, written by the evaluator after each change and read
                    // (assigned) by the serving replicas, which log in as this user too (docs/serving.md).
                    Set.of(Topics.EVALUATIONS, Topics.PREDICTIONS, Topics.PROMOTIONS, Topics.TRAINING_JOBS,
                            Topics.RAW_RECORDS, Topics.DEAD_LETTERS, Topics.CHECKPOINTS, Topics.DEPLOYMENTS),
                    Set.of(Topics.CHECKPOINTS, Topics.SHARDS, Topics.INFERENCE_REQUESTS, Topics.DATASET_REGISTRY,
                            Topics.DEPLOYMENTS),
                    Set.of("evaluator-service", SERVING_GROUP), Set.of(), Set.of(SERVING_TRANSACTIONAL_ID_PREFIX)),
            new Grant(RAW_PRODUCER, null, Set.of(Topics.RAW_RECORDS), Set.of(), Set.of()),
            new Grant(INFERENCE_CLIENT, null, Set.of(Topics.INFERENCE_REQUESTS),
                    Set.of(Topics.PREDICTIONS, Topics.PROMOTIONS), Set.of())));

    /** Every user, services first, in a fixed order. */
    public static List<Grant> all() {
        return List.copyOf(GRANTS.values());
    }

    /** The four services' users. */
    public static List<Grant> services() {
        return GRANTS.values().stream().filter(g -> g.service() != null).toList();
    }

    /** The grant of a Kafka user, e.g. {@link #TRAINER}. */
    public static Grant of(String user) {
        Grant grant = GRANTS.get(user);
        if (grant == null) {
            throw new IllegalArgumentException("no such Kafka user: " + user + " (known: " + GRANTS.keySet() + ")");
        }
        return grant;
    }

    /** The grant of the user a service logs in as: "trainer-service", or short, "trainer". */
    public static Grant forService(String service) {
        String name = service.endsWith("-service") ? service : service + "-service";
        return services().stream().filter(g -> g.service().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no such service: " + service));
    }

    /** The principal of a SCRAM user: {@code User:<name>}. */
    public static String scramPrincipal(String user) {
        return "User:" + user;
    }

    /**
     * The principal of a certificate user as Strimzi's brokers see it: Kafka's default mapping takes the certificate's
     * whole subject, and the user operator issues subjects of just {@code CN=<name>}, so {@code User:CN=<name>}
     * (Strimzi's superUsers and ACLs name mTLS users that way too).
     */
    public static String tlsPrincipal(String user) {
        return "User:CN=" + user;
    }

    private static Map<String, Grant> index(List<Grant> grants) {
        Map<String, Grant> byUser = new LinkedHashMap<>();
        grants.forEach(g -> byUser.put(g.user(), g));
        Set<String> known = new LinkedHashSet<>();
        Topics.all().forEach(spec -> known.add(spec.name()));
        for (Grant g : grants) {
            for (String topic : g.topics()) {
                if (!known.contains(topic)) {
                    throw new IllegalStateException(g.user() + " names a topic Topics does not have: " + topic);
                }
            }
        }
        return byUser;
    }

    private KafkaAccess() {
    }
}
