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
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Raw e-mail as records with the fields "subject", "body", "label" and "id" (the Message-ID when there is one):
 * a single RFC 822 message (.eml), an archive of .eml files, or an mbox mailbox. MIME is decoded by Jakarta Mail
 * (multipart, quoted-printable, base64, RFC 2047 subjects, charsets); attachments are skipped; a message with only
 * an HTML body gets that HTML's text.
 */
public final class EmailMessages {
    private static final Session SESSION = Session.getInstance(new Properties());
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
            String messageId = message.getMessageID();
            if (messageId != null && !messageId.isBlank()) {
                record.put("id", messageId.replaceAll("^\\s*<|>\\s*$", ""));
            }
            record.put("subject", message.getSubject() == null ? "" : message.getSubject());
            record.put("body", String.join("\n\n", texts(message)).strip());
            record.put("label", label);
            return SourceItem.of(position, source, raw, record);
        } catch (MessagingException | IOException | RuntimeException e) {
            return SourceItem.unreadable(position, source, raw, "invalid-message",
                    "not a readable RFC 822 message: " + e.getMessage());
        }
    }

    /** The readable texts of a part: text/plain as is, HTML as text, the best of alternatives, attachments skipped. */
    static List<String> texts(Part part) throws MessagingException, IOException {
        if (Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
            return List.of();
        }
        if (part.isMimeType("text/plain")) {
            return List.of(content(part));
        }
        if (part.isMimeType("text/html")) {
            return List.of(Jsoup.parse(content(part)).text());
        }
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            boolean alternative = part.isMimeType("multipart/alternative");
            List<String> texts = new ArrayList<>();
            List<String> html = new ArrayList<>();
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                if (alternative && child.isMimeType("text/html")) {
                    html.addAll(texts(child));
                } else {
                    texts.addAll(texts(child));
                }
            }
            return alternative && texts.isEmpty() ? html : texts;
        }
        return List.of();
    }

    /** Decoded text of a text part; an unknown charset falls back to UTF-8 rather than losing the message. */
    private static String content(Part part) throws MessagingException, IOException {
        try {
            Object content = part.getContent();
            if (content instanceof String text) {
                return text;
            }
        } catch (java.io.UnsupportedEncodingException e) {
            // fall through to the raw decoded bytes
        }
        return new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
