package io.finetune.evaluator.serving;

import io.finetune.contracts.Topics;
import io.finetune.evaluator.messaging.AcknowledgedProducer;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Puts corrections onto ingest's raw topic ({@link Topics#RAW_RECORDS}) as labeled raw records keyed by their dataset,
 * and returns once Kafka acknowledged them (acks=all).
 */
@ApplicationScoped
public class CorrectionRecords {
    private final AcknowledgedProducer producer;

    public CorrectionRecords(AcknowledgedProducer producer) {
        this.producer = producer;
    }

    /**
     * @param dataset the key: the dataset's records and its END marker share a partition, in order
     * @throws IllegalStateException when Kafka did not acknowledge it in time: the correction is not recorded
     */
    public RecordMetadata send(String dataset, String rawRecordJson) {
        return producer.send(Topics.RAW_RECORDS, dataset, rawRecordJson, "the correction on " + Topics.RAW_RECORDS);
    }
}
