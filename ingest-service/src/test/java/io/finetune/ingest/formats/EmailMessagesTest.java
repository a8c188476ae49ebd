package io.finetune.ingest.formats;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EmailMessagesTest {
    private static final SafeArchive.Limits LIMITS = new SafeArchive.Limits(100, 1 << 20);
    private final EmailMessages phishing = new EmailMessages("Phishing", 1 << 20);

    private List<SourceItem> eml(byte[] body) throws IOException {
        List<SourceItem> items = new ArrayList<>();
        phishing.readEml(new ByteArrayInputStream(body), LIMITS, items::add);
        return items;
    }

    @Test
    void quotedPrintableAndBase64AreDecodedAndThePlainAlternativeWins() throws IOException {
        SourceItem item = eml(MailFixtures.alternative("m1@example.com").getBytes(StandardCharsets.US_ASCII)).get(0);
        assertThat(item.fields().get("subject").asText()).isEqualTo("Vérifiez votre compte");
        assertThat(item.fields().get("body").asText()).isEqualTo("Cliquez ici pour vérifier votre compte immédiatement.");
        assertThat(item.fields().get("id").asText()).isEqualTo("m1@example.com");
        assertThat(item.fields().get("label").asText()).isEqualTo("Phishing");
    }

    @Test
    void htmlOnlyMailBecomesTextAndAttachmentsAreSkipped() throws IOException {
        SourceItem item = eml(MailFixtures.htmlWithAttachment().getBytes(StandardCharsets.US_ASCII)).get(0);
        assertThat(item.fields().get("body").asText()).isEqualTo("Invoice attached");
        assertThat(item.fields().has("id")).isFalse();
    }

    @Test
    void anArchiveOfEmlFilesGivesOneRecordPerMessage() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("phish/a.eml", MailFixtures.alternative("a@x").getBytes(StandardCharsets.US_ASCII));
        files.put("phish/notes.txt", "not a message".getBytes(StandardCharsets.US_ASCII));
        files.put("phish/b.EML", MailFixtures.htmlWithAttachment().getBytes(StandardCharsets.US_ASCII));
        List<SourceItem> items = eml(ArchiveFixtures.zip(files));
        assertThat(items).extracting(SourceItem::source).containsExactly("phish/a.eml", "phish/b.EML");
        assertThat(items.get(1).fields().get("subject").asText()).isEqualTo("Invoice 42");
    }

    @Test
    void anMboxIsSplitIntoItsMessagesAndFromLinesAreUnescaped() throws IOException {
        List<SourceItem> items = new ArrayList<>();
        phishing.readMbox(new ByteArrayInputStream(MailFixtures.mbox().getBytes(StandardCharsets.US_ASCII)),
                items::add);
        assertThat(items).hasSize(3).allMatch(SourceItem::readable);
        assertThat(items).extracting(i -> i.fields().get("subject").asText())
                .containsExactly("First", "Vérifiez votre compte", "Third");
        assertThat(items.get(0).fields().get("body").asText()).isEqualTo("Hello one.");
        assertThat(items.get(2).fields().get("body").asText()).isEqualTo("Line one\r\nFrom here on\r\nend");
    }
}
