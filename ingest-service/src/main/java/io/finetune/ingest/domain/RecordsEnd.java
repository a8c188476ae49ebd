package io.finetune.ingest.domain;

import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Where a dataset's records end on {@code finetune.dataset.records}, as a record written there needs to know it to
 * tell whether it is in the dataset ({@link DatasetRegistry#recordsEnd}).
 *
 * @param open      no seal had started: the END marker, whenever it comes, lands behind every record written so far
 * @param partition the END marker's partition, when not open and known
 * @param offset    the END marker's offset, when not open and known (-1: not known)
 * @param why       why the END marker's place is not known, or null
 */
public record RecordsEnd(boolean open, int partition, long offset, String why) {
    public static final RecordsEnd OPEN = new RecordsEnd(true, -1, -1, null);

    public static RecordsEnd at(int partition, long offset) {
        return new RecordsEnd(false, partition, offset, null);
    }

    public static RecordsEnd unknown(String why) {
        return new RecordsEnd(false, -1, -1, why);
    }

    /** Whether a record of the dataset written (and acknowledged) at {@code at} is in the dataset. */
    public boolean includes(RecordMetadata at) {
        return open || (why == null && at.partition() == partition && at.offset() < offset);
    }

    /** Why a record written at {@code at} is not in the dataset, for its dead letter and the client. */
    public String excluded(String dataset, RecordMetadata at) {
        String place = at.topic() + "/" + at.partition() + "@" + at.offset();
        if (why != null) {
            return "dataset '" + dataset + "' was sealed while this record was being written (at " + place
                    + "), and " + why + ": it is not counted as accepted";
        }
        return "dataset '" + dataset + "' was sealed while this record was being written: it landed at " + place
                + ", behind the END marker at offset " + offset + ", so it is not in the dataset";
    }
}
