package io.finetune.local.crash;

import io.finetune.contracts.Topics;
import io.finetune.local.LocalStack;
import io.finetune.local.ServiceProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Which of a service's replicas holds a run's work right now: the trainer replica that has the job, the preprocess
 * replica that owns the dataset's partition of the raw topic. Drawn at plan time, a replica is often the idle one
 * (a one-partition jobs topic keeps every job on one trainer), and killing it would prove nothing about the work.
 */
final class BusyReplica {
    /** The consumer group of preprocess's raw-topic loop ({@code preprocess.group-id}'s default). */
    static final String PREPROCESS_GROUP = "preprocess-service";

    private BusyReplica() {
    }

    /** The process of {@code service} busy with the run's dataset or job, if it can be told. */
    static Optional<ServiceProcess> of(LocalStack stack, String service, String dataset, String jobId) {
        List<ServiceProcess> replicas = stack.instances(service);
        if (replicas.size() < 2) {
            return replicas.stream().findFirst();
        }
        return switch (service) {
            case "trainer-service" -> TrainerReplicas.holding(stack, jobId, new ArrayList<>())
                    .map(TrainerReplicas.Holder::trainer);
            case "preprocess-service" -> partitionOwner(stack, dataset);
            default -> Optional.empty();
        };
    }

    /**
     * The member of preprocess's group assigned the dataset's raw partition (the producer's default partitioner
     * on the dataset key), named by its static member id, which LocalStack sets to the process's name.
     */
    private static Optional<ServiceProcess> partitionOwner(LocalStack stack, String dataset) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(Topics.RAW_RECORDS)).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(Topics.RAW_RECORDS).partitions().size();
            TopicPartition partition = new TopicPartition(Topics.RAW_RECORDS,
                    Utils.toPositive(Utils.murmur2(dataset.getBytes(StandardCharsets.UTF_8))) % partitions);
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(PREPROCESS_GROUP)).all()
                    .get(10, TimeUnit.SECONDS).get(PREPROCESS_GROUP);
            for (MemberDescription member : group.members()) {
                if (member.assignment().topicPartitions().contains(partition) && member.groupInstanceId().isPresent()) {
                    return Optional.ofNullable(stack.service(member.groupInstanceId().get()));
                }
            }
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
