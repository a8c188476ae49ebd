package io.finetune.ingest.formats;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Large Movie Review Dataset as Stanford distributes it: {@code aclImdb_v1.tar.gz} with one review per file at
 * {@code aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt}. The folder gives the split (kept on the record) and the
 * label ("pos" becomes "positive", "neg" becomes "negative"); the unlabeled {@code unsup} reviews, the URL lists and
 * the vocabulary are skipped. The record id is the file's path below the split, e.g. "train/pos/10_9".
 */
public final class ImdbArchive {
    private static final Pattern REVIEW = Pattern.compile("(?:.*/)?(train|test)/(pos|neg)/([^/]+)\\.txt");

    public static void read(InputStream archive, SafeArchive.Limits limits, int maxRecordBytes, RecordSink sink)
            throws IOException {
        long[] position = {0};
        SafeArchive.read(archive, limits, (path, content) -> {
            Matcher review = REVIEW.matcher(path);
            if (!review.matches()) {
                return;
            }
            long at = ++position[0];
            byte[] bytes = content.readNBytes(maxRecordBytes + 1);
            if (bytes.length > maxRecordBytes) {
                sink.accept(SourceItem.unreadable(at, path, null, "too-large",
                        "the review is longer than " + maxRecordBytes + " bytes"));
                return;
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                sink.accept(SourceItem.unreadable(at, path, null, "invalid-utf8", "the review is not valid UTF-8"));
                return;
            }
            ObjectNode record = JsonNodeFactory.instance.objectNode()
                    .put("id", review.group(1) + "/" + review.group(2) + "/" + review.group(3))
                    .put("text", text)
                    .put("label", review.group(2).equals("pos") ? "positive" : "negative")
                    .put("split", review.group(1));
            sink.accept(SourceItem.of(at, path, text, record));
        });
    }

    private ImdbArchive() {
    }
}
