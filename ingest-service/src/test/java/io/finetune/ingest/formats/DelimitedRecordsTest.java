package io.finetune.ingest.formats;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DelimitedRecordsTest {
    private static List<SourceItem> read(DelimitedRecords reader, String text) throws IOException {
        List<SourceItem> items = new ArrayList<>();
        reader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), items::add);
        return items;
    }

    @Test
    void csvRowsBecomeObjectsKeyedByTheHeaderWithRfc4180Quoting() throws IOException {
        String csv = "\uFEFFEmail_ID,Subject,Body,Label\r\n"
                + "e1,Your account,\"Dear user, click \"\"here\"\"\r\nto verify\",Phishing\r\n"
                + "e2,Lunch,See you at noon,Legitimate\r\n"
                + "e3,,\"\",Legitimate\n";
        List<SourceItem> items = read(DelimitedRecords.csv(1000), csv);
        assertThat(items).allMatch(SourceItem::readable);
        assertThat(items).extracting(SourceItem::position).containsExactly(2L, 4L, 5L);
        assertThat(items.get(0).fields().get("Body").asText()).isEqualTo("Dear user, click \"here\"\nto verify");
        assertThat(items.get(0).fields().get("Email_ID").asText()).isEqualTo("e1");
        assertThat(items.get(1).fields().get("Label").asText()).isEqualTo("Legitimate");
        assertThat(items.get(2).fields().get("Subject").asText()).isEmpty();
    }

    @Test
    void anUnbalancedQuoteIsRejectedAtItsLineAndTheLinesAfterItAreKept() throws IOException {
        String csv = "text,label\n"
                + "good one,pos\n"
                + "\"never closed,neg\n"
                + "still good,neg\n"
                + "a \"stray\" quote,pos\n"
                + "\"closed\" then text,pos\n"
                + "too,many,fields\n"
                + "last good,pos\n";
        List<SourceItem> items = read(DelimitedRecords.csv(1000), csv);
        assertThat(items).extracting(SourceItem::position).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(items).extracting(SourceItem::reason).containsExactly(null, "unbalanced-quote", null,
                "stray-quote", "stray-quote", "wrong-column-count", null);
        assertThat(items.get(2).fields().get("text").asText()).isEqualTo("still good");
        assertThat(items.get(6).fields().get("text").asText()).isEqualTo("last good");
    }

    @Test
    void aQuotedFieldLongerThanTheRecordLimitCountsAsUnbalanced() throws IOException {
        String csv = "text,label\n\"open\n" + "x,pos\n".repeat(50) + "end\",pos\n";
        List<SourceItem> items = read(DelimitedRecords.csv(100), csv);
        assertThat(items.get(0).reason()).isEqualTo("unbalanced-quote");
        assertThat(items.get(1).fields().get("text").asText()).isEqualTo("x");
    }

    @Test
    void tsvSplitsOnTabsOnly() throws IOException {
        List<SourceItem> items = read(DelimitedRecords.tsv(1000), "text\tlabel\nhello, world\tpos\n");
        assertThat(items.get(0).fields().get("text").asText()).isEqualTo("hello, world");
    }

    @Test
    void aMissingOrDuplicatedHeaderIsRefused() {
        assertThatThrownBy(() -> read(DelimitedRecords.csv(1000), "")).hasMessageContaining("header row");
        assertThatThrownBy(() -> read(DelimitedRecords.csv(1000), "text,text\na,b\n"))
                .hasMessageContaining("name every column once");
    }
}
