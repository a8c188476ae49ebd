package io.finetune.ingest.formats;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record read from an upload or an imported file, before validation: its fields, or why it could not be read.
 *
 * @param position 1-based line (text formats), row (Parquet) or message/file number (archives, mailboxes)
 * @param source   where inside the upload it came from, e.g. "line 7" or "train/pos/10_9.txt"; becomes the origin
 *                 of its dead letter
 * @param raw      the record as it was read (cut for huge ones), kept in its dead letter
 * @param fields   the record's fields, null when it is unreadable
 * @param reason   stable reason code when unreadable (e.g. "invalid-json", "unbalanced-quote"), else null
 * @param detail   a sentence for people when unreadable
 */
public record SourceItem(long position, String source, String raw, ObjectNode fields, String reason, String detail) {
    static final int MAX_RAW_CHARS = 64 * 1024;

    public static SourceItem of(long position, String source, String raw, ObjectNode fields) {
        return new SourceItem(position, source, cut(raw), fields, null, null);
    }

    public static SourceItem unreadable(long position, String source, String raw, String reason, String detail) {
        return new SourceItem(position, source, cut(raw), null, reason, detail);
    }

    public boolean readable() {
        return fields != null;
    }

    private static String cut(String raw) {
        return raw == null || raw.length() <= MAX_RAW_CHARS ? raw : raw.substring(0, MAX_RAW_CHARS);
    }
}
