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
 * @param continuous on the end marker of a continuous dataset: true. The marker then ends version {@code seal} of
 *                   the dataset (every record of it before the marker) instead of closing it; records behind it
 *                   belong to the next version. Null (left out) otherwise
 */
public record DatasetRecord(int v, String dataset, Kind kind, String id, String text, String label, String split,
                            Long accepted, PreprocessOptions options, Integer seal, Boolean continuous) {
    public static final int VERSION = 1;

    public enum Kind { RECORD, END }

    public static DatasetRecord record(String dataset, String id, String text, String label, String split) {
        return new DatasetRecord(VERSION, dataset, Kind.RECORD, id, text, label, split, null, null, null, null);
    }

    public static DatasetRecord end(String dataset, long accepted, PreprocessOptions options, int seal) {
        return end(dataset, accepted, options, seal, false);
    }

    /** @param continuous whether the marker ends a version of a continuous dataset rather than closing it */
    public static DatasetRecord end(String dataset, long accepted, PreprocessOptions options, int seal,
                                    boolean continuous) {
        return new DatasetRecord(VERSION, dataset, Kind.END, null, null, null, null, accepted, options, seal,
                continuous ? Boolean.TRUE : null);
    }

    /** Whether this end marker ends a version of a continuous dataset. */
    public boolean endsVersion() {
        return Boolean.TRUE.equals(continuous);
    }

    /** The seal an end marker ends; markers written before datasets could be sealed again carry none: the first. */
    public int sealNumber() {
        return seal == null ? 1 : seal;
    }
}
