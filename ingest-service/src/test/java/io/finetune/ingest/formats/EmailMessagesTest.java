package io.finetune.ingest.formats;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

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

    // ------------------------------------------------------------------------ malformed mail, read as a client does

    /** What a mail client shows of each malformed message: its subject and its text. */
    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(MalformedMail.BAD_BASE64, "Password expiry", "Your password expires today."),
                Arguments.of(MalformedMail.NO_BOUNDARY_PARAMETER, "You won", "Click the link to claim your prize"),
                Arguments.of(MalformedMail.NO_END_BOUNDARY, "Payroll update", "First part\n\nSecond part, never closed"),
                Arguments.of(MalformedMail.NUL_CHARACTERS, "Urgent notice", "Pay now\r\n\tor lose access"),
                Arguments.of(MalformedMail.UNKNOWN_CHARSET, "Caf\u00e9 gratuit",
                        "\u00dcberweisung sofort best\u00e4tigen"),
                Arguments.of(MalformedMail.ILLEGAL_CHARSET, "Offer", "Caf\u00e9 gratuit \u00e0 volont\u00e9"),
                Arguments.of(MalformedMail.QP_SOFT_BREAK_AT_END, "Mailbox full",
                        "Verify your account now, your mailbox is 99% full\u2026"),
                Arguments.of(MalformedMail.UNQUOTED_BOUNDARY, "Parcel waiting", "Your parcel is waiting"),
                Arguments.of(MalformedMail.BOUNDARY_NEVER_FOUND, "Deal", "Dear customer, the deal ends tonight."),
                Arguments.of(MalformedMail.RAW_8BIT_SUBJECT, "Compte bloqu\u00e9 d\u00e9finitivement", "Unlock it here"),
                Arguments.of(MalformedMail.UNKNOWN_TRANSFER_ENCODING, "Quota", "Your quota is exceeded"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedMailIsReadAsAMailClientShowsIt(String name, String subject, String body) throws IOException {
        SourceItem item = eml(MalformedMail.all().get(name)).get(0);
        assertThat(item.readable()).as(item.detail()).isTrue();
        assertThat(item.fields().get("subject").asText()).isEqualTo(subject);
        assertThat(item.fields().get("body").asText()).isEqualTo(body);
        assertThat(item.fields().get("label").asText()).isEqualTo("Phishing");
    }

    @Test
    void nulCharactersAreDroppedFromTheMessageIdToo() throws IOException {
        SourceItem item = eml(MalformedMail.all().get(MalformedMail.NUL_CHARACTERS)).get(0);
        assertThat(item.fields().get("id").asText()).isEqualTo("nul@example.com");
        assertThat(item.raw()).contains("\0");
    }

    @Test
    void aMessageWithNoTextHasNothingForTheValidatorToAccept() throws IOException {
        // EmailMessages keeps it readable; the validator rejects it as "missing-text" (see the ITs)
        SourceItem item = eml(MalformedMail.all().get(MalformedMail.NO_TEXT)).get(0);
        assertThat(item.fields().get("subject").asText()).isEmpty();
        assertThat(item.fields().get("body").asText()).isEmpty();
    }

    @Test
    void aZipOfMalformedMailGivesEveryMessageInOrder() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        MalformedMail.all().forEach((name, mail) -> files.put("spam/" + name, mail));
        List<SourceItem> items = eml(ArchiveFixtures.zip(files));
        assertThat(items).extracting(SourceItem::source)
                .containsExactlyElementsOf(files.keySet());
        assertThat(items).allMatch(SourceItem::readable);
        assertThat(items).extracting(i -> i.fields().get("body").asText()).containsExactlyElementsOf(
                Stream.concat(malformed().map(a -> (String) a.get()[2]), Stream.of("")).toList());
    }

    @Test
    void anMboxOfMalformedMailIsReadLikeTheEmlFiles() throws IOException {
        List<SourceItem> items = new ArrayList<>();
        phishing.readMbox(new ByteArrayInputStream(MalformedMail.mbox()), items::add);
        assertThat(items).hasSize(MalformedMail.all().size()).allMatch(SourceItem::readable);
        // mbox lines come back with CRLF; the texts are otherwise those of the .eml files
        List<Arguments> expected = malformed().toList();
        for (int i = 0; i < expected.size(); i++) {
            Object[] row = expected.get(i).get();
            assertThat(items.get(i).fields().get("subject").asText()).as((String) row[0]).isEqualTo(row[1]);
            assertThat(items.get(i).fields().get("body").asText()).as((String) row[0]).isEqualTo(row[2]);
        }
        assertThat(items.get(expected.size()).fields().get("body").asText()).isEmpty();
    }

    @Test
    void controlCharactersButTabAndLineEndsAreDropped() {
        assertThat(LenientMime.clean("a\0b\u0001c\u0008d\u000be\u000cf\u001bg\u007fh\ti\nj\rk"))
                .isEqualTo("abcdefgh\ti\nj\rk");
    }

    @Test
    void unknownAndIllegalCharsetsFallBackToUtf8OrWindows1252() {
        byte[] utf8 = "d\u00e9j\u00e0 \u20ac".getBytes(StandardCharsets.UTF_8);
        byte[] cp1252 = "d\u00e9j\u00e0 \u20ac".getBytes(java.nio.charset.Charset.forName("windows-1252"));
        assertThat(LenientMime.decode(utf8, "x-unknown")).isEqualTo("d\u00e9j\u00e0 \u20ac");
        assertThat(LenientMime.decode(cp1252, "x-unknown")).isEqualTo("d\u00e9j\u00e0 \u20ac");
        assertThat(LenientMime.decode(cp1252, "not a name!")).isEqualTo("d\u00e9j\u00e0 \u20ac");
        assertThat(LenientMime.decode(cp1252, null)).isEqualTo("d\u00e9j\u00e0 \u20ac");
        assertThat(LenientMime.decode(cp1252, "us-ascii")).isEqualTo("d\u00e9j\u00e0 \u20ac");
        assertThat(LenientMime.decode(utf8, "\"utf-8\"")).isEqualTo("d\u00e9j\u00e0 \u20ac");
    }

    @Test
    void encodedWordsAreDecodedAsMailClientsDo() {
        assertThat(LenientMime.decodeHeader("=?utf-8?B?w6k=?= =?utf-8?Q?t=C3=A9?=")).isEqualTo("\u00e9t\u00e9");
        assertThat(LenientMime.decodeHeader("Re:=?utf-8?Q?caf=C3=A9?=")).isEqualTo("Re:caf\u00e9");
        assertThat(LenientMime.decodeHeader("a =?iso-8859-1?Q?=E9?=\r\n =?utf-8?Q?=C3=A9?= b")).isEqualTo("a \u00e9\u00e9 b");
        assertThat(LenientMime.decodeHeader("=?utf-8?Q?broken=ZZ?=")).isEqualTo("broken=ZZ");
        assertThat(LenientMime.decodeHeader("=?utf-8?B?w6?=")).isEqualTo("\ufffd");
    }
}
