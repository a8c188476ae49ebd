package io.finetune.ingest.formats;

/** Receives the records of a source one by one, in order, so no reader ever holds a whole upload. */
@FunctionalInterface
public interface RecordSink {
    void accept(SourceItem item);
}
