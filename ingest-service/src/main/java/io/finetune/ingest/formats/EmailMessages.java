package io.finetune.ingest.formats;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.jsoup.Jsoup;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Raw e-mail as records with the fields "subject", "body", "label" and "id" (the Message-ID when there is one):
 * a single RFC 822 message (.eml), an archive of .eml files, or an mbox mailbox. MIME is decoded by Jakarta Mail
 * (multipart, quoted-printable, base64, RFC 2047 subjects, charsets); attachments are skipped; a message with only
 * an HTML body gets that HTML's text. Malformed mail is read as a mail client reads it ({@link LenientMime}): only a
 * message with no text at all is rejected (by the validator, "missing-text").
 */
public final class EmailMessages {
    private static final Session SESSION = LenientMime.session();
    private static final Pattern ESCAPED_FROM = Pattern.compile(">+From .*");
    private final String label;
    private final int maxMessageBytes;

    /** @param label the label of every message read, e.g. "Phishing" for a folder of phishing mails */
    public EmailMessages(String label, int maxMessageBytes) {
        this.label = label;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** One .eml message, or a tar/tar.gz/zip of them (files not ending in .eml are skipped). */
    public void readEml(InputStream body, SafeArchive.Limits limits, RecordSink sink) throws IOException {
        InputStream in = body.markSupported() ? body : new BufferedInputStream(body);
        if (!SafeArchive.isArchive(in)) {
            byte[] bytes = in.readNBytes(maxMessageBytes + 1);
            sink.accept(bytes.length > maxMessageBytes ? tooLarge(1, "message 1") : message(1, "message 1", bytes));
            return;
        }
        long[] position = {0};
        SafeArchive.read(in, limits, (path, content) -> {
            if (path.toLowerCase(Locale.ROOT).endsWith(".eml")) {
                byte[] bytes = content.readNBytes(maxMessageBytes + 1);
                long at = ++position[0];
                sink.accept(bytes.length > maxMessageBytes ? tooLarge(at, path) : message(at, path, bytes));
            }
        });
    }

    /**
     * An mbox mailbox: a message starts at each line beginning "From " that opens the file or follows a blank line;
     * "&gt;From " lines are unescaped (mboxrd). Lines are read as ISO-8859-1 so every byte survives unchanged.
     */
    public void readMbox(InputStream body, RecordSink sink) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.ISO_8859_1), 1 << 16);
        ByteArrayOutputStream message = null;
        boolean previousBlank = true;
        boolean tooLarge = false;
        long position = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith("From ") && previousBlank) {
                if (message != null) {
                    position++;
                    sink.accept(finish(position, message, tooLarge));
                }
                message = new ByteArrayOutputStream();
                tooLarge = false;
            } else if (message != null && !tooLarge) {
                String unescaped = line.startsWith(">") && ESCAPED_FROM.matcher(line).matches() ? line.substring(1) : line;
                message.writeBytes((unescaped + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                tooLarge = message.size() > maxMessageBytes;
            }
            previousBlank = line.isEmpty();
        }
        if (message == null) {
            throw new IOException("not an mbox mailbox: no line starts with \"From \"");
        }
        sink.accept(finish(position + 1, message, tooLarge));
    }

    private SourceItem finish(long position, ByteArrayOutputStream message, boolean tooLarge) {
        String source = "message " + position;
        return tooLarge ? tooLarge(position, source) : message(position, source, message.toByteArray());
    }

    private SourceItem tooLarge(long position, String source) {
        return SourceItem.unreadable(position, source, null, "too-large",
                "the message is larger than " + maxMessageBytes + " bytes");
    }

    private SourceItem message(long position, String source, byte[] bytes) {
        String raw = new String(bytes, 0, Math.min(bytes.length, SourceItem.MAX_RAW_CHARS), StandardCharsets.UTF_8);
        try {
            MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(bytes));
            ObjectNode record = JsonNodeFactory.instance.objectNode();
            String messageId = LenientMime.header(message, "Message-ID");
            if (!messageId.isBlank()) {
                record.put("id", messageId.replaceAll("^\\s*<|>\\s*$", ""));
            }
            record.put("subject", LenientMime.header(message, "Subject"));
            List<String> texts;
            try {
                texts = texts(message);
            } catch (MessagingException | IOException | RuntimeException e) {
                texts = List.of(); // a body that cannot be read at all: the subject is still the message's text
            }
            record.put("body", LenientMime.clean(String.join("\n\n", texts)).strip());
            record.put("label", label);
            // A message with no text at all (no subject, no readable text part) is rejected by the validator as
            // "missing-text"; everything else is kept, however malformed.
            return SourceItem.of(position, source, raw, record);
        } catch (MessagingException | RuntimeException e) {
            return SourceItem.unreadable(position, source, raw, "invalid-message",
                    "not a readable RFC 822 message: " + e.getMessage());
        }
    }

    /**
     * The readable texts of a part, read as a mail client shows them: text/plain as is, HTML as text, the best of
     * alternatives, attachments skipped. A part that cannot be read is skipped and its siblings kept; a multipart
     * whose parts cannot be found at all (no boundary line in the body) is shown as the text it is.
     */
    static List<String> texts(Part part) throws MessagingException, IOException {
        if (isAttachment(part)) {
            return List.of();
        }
        String type = LenientMime.mimeType(part);
        if (type.equals("text/html")) {
            return List.of(Jsoup.parse(LenientMime.text(part)).text());
        }
        if (type.startsWith("multipart/")) {
            Multipart multipart;
            int count;
            try {
                multipart = (Multipart) part.getContent();
                count = multipart.getCount();
            } catch (MessagingException | IOException | ClassCastException e) {
                count = 0;
                multipart = null;
            }
            if (count == 0) {
                return List.of(LenientMime.text(part));
            }
            boolean alternative = type.equals("multipart/alternative");
            List<String> texts = new ArrayList<>();
            List<String> html = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                try {
                    BodyPart child = multipart.getBodyPart(i);
                    if (alternative && LenientMime.mimeType(child).equals("text/html")) {
                        html.addAll(texts(child));
                    } else {
                        texts.addAll(texts(child));
                    }
                } catch (MessagingException | IOException | RuntimeException e) {
                    // this part cannot be read: the others still can
                }
            }
            return alternative && texts.stream().allMatch(String::isBlank) ? html : texts;
        }
        if (type.equals("text/plain") || type.equals("text") || type.isEmpty()) {
            // "text" and "" are what is left of a Content-Type that could not be parsed: shown as plain text
            return List.of(LenientMime.text(part));
        }
        return List.of();
    }

    private static boolean isAttachment(Part part) {
        try {
            return Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition());
        } catch (MessagingException | RuntimeException e) {
            return false;
        }
    }
}
