package io.finetune.contracts;

/**
 * One validated record of a dataset, or the marker that seals it, on {@link Topics#DATASET_RECORDS}.
 * Key: the dataset name, so a dataset's records and its end marker stay in order on one partition.
 *
 * @param split     "train", "validation" or "test" when the source already splits its data, else null
 * @param accepted  on the end marker: how many records ingest accepted, so preprocess can check it saw them all
 * @param options   on the end marker: how the dataset is to be prepared
 * @param seal      on the end marker: which seal of the dataset it ends ({@link DatasetSealed#seal()}), so a failure
 *                  can say which seal it answers; see {@link #sealNumber()}
 * @param origin    on a record: where it came from, when its writer said so (a correction of a prediction, say);
 *                  null, and absent from the JSON, otherwise
 * @param continuous on the end marker of a continuous dataset: true. The marker then ends version {@code seal} of
 *                   the dataset (every record of it before the marker) instead of closing it; records behind it
 *                   belong to the next version. Null (left out) otherwise
 */
public record DatasetRecord(int v, String dataset, Kind kind, String id, String text, String label, String split,
                            Long accepted, PreprocessOptions options, Integer seal, RecordOrigin origin,
                            Boolean continuous) {
    public static final int VERSION = 1;

    public enum Kind { RECORD, END }

    public static DatasetRecord record(String dataset, String id, String text, String label, String split) {
        return record(dataset, id, text, label, split, null);
    }

    /** @param origin where the record came from, or null when its writer did not say */
    public static DatasetRecord record(String dataset, String id, String text, String label, String split,
                                       RecordOrigin origin) {
        return new DatasetRecord(VERSION, dataset, Kind.RECORD, id, text, label, split, null, null, null, origin,
                null);
    }

    public static DatasetRecord end(String dataset, long accepted, PreprocessOptions options, int seal) {
        return end(dataset, accepted, options, seal, false);
    }

    /** @param continuous whether the marker ends a version of a continuous dataset rather than closing it */
    public static DatasetRecord end(String dataset, long accepted, PreprocessOptions options, int seal,
                                    boolean continuous) {
        return new DatasetRecord(VERSION, dataset, Kind.END, null, null, null, null, accepted, options, seal, null,
                continuous ? Boolean.TRUE : null);
    }

    /** Whether this end marker ends a version of a continuous dataset. */
    public boolean endsVersion() {
        return Boolean.TRUE.equals(continuous);
    }

    /** The origin's kind, or null for a record that names no origin. */
    public String originKind() {
        return origin == null ? null : origin.kind();
    }

    /** The seal an end marker ends; markers written before datasets could be sealed again carry none: the first. */
    public int sealNumber() {
        return seal == null ? 1 : seal;
    }
}
