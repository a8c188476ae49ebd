package io.finetune.ingest.formats;

import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import org.eclipse.angus.mail.util.BASE64DecoderStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads mail the way mail clients (and Python's {@code email} package) do rather than the way RFC 2045 says it
 * should be written: spam and phishing are malformed often and on purpose, and a filter must still see their text.
 * Everything lenient about reading mail is here, in one place:
 * <ul>
 *   <li>the Jakarta Mail settings for what happens inside its own parsing (see {@link #session()});</li>
 *   <li>bodies decoded here, not by Jakarta Mail's content handlers: base64 with its errors ignored, an unknown
 *       Content-Transfer-Encoding read as it is, an unknown or missing charset read as UTF-8 when the bytes are
 *       UTF-8 and as windows-1252 (the superset of ISO-8859-1 that mail clients and browsers use) otherwise;</li>
 *   <li>headers decoded here: RFC 2047 encoded words with unknown charsets, inside words, or splitting a character
 *       across two words, and raw 8-bit header bytes;</li>
 *   <li>NUL and the other C0 control characters but tab, line feed and carriage return dropped from the text.</li>
 * </ul>
 */
final class LenientMime {
    /*
     * Jakarta Mail reads these as System properties, not Session properties (jakarta.mail-api 2.1:
     * MimeMultipart.initializeProperties, ParameterList and MimeUtility static initializers), so they are set on the
     * JVM, before the first mail is parsed, and only where nobody has set them (-D... on the command line wins).
     * ParameterList and MimeUtility read theirs once, when the class is loaded; nothing else in this service uses
     * Jakarta Mail, and EmailMessages gets its Session from here, so this runs first.
     *  - mail.mime.multipart.ignoremissingboundaryparameter=true: "multipart/mixed" with no boundary parameter takes
     *    the first line that looks like a boundary ("--..."). The default, pinned here.
     *  - mail.mime.multipart.ignoremissingendboundary=true: a multipart that never closes ("--b--") ends with the
     *    data, its last part kept. The default, pinned here.
     *  - mail.mime.parameters.strict=false: parameter values with spaces or specials left unquoted, e.g. the common
     *    boundary=----=_NextPart_000_0012, end at the next ";" instead of failing the whole Content-Type.
     *  - mail.mime.ignoreunknownencoding=true: a multipart with an unknown Content-Transfer-Encoding ("8-bit",
     *    "utf8") is parsed from its bytes as they are instead of failing.
     *  - mail.mime.base64.ignoreerrors=true: base64 with bad padding or truncated at the end decodes what it can.
     *    Text parts are decoded here with that setting anyway; this covers what Jakarta Mail decodes itself.
     * Not set: mail.mime.multipart.allowempty (a multipart whose start boundary is never found is shown as the text
     * it is instead, see EmailMessages.texts); mail.mime.decodetext.strict (headers are decoded by header() here, which
     * also handles unknown charsets); mail.mime.address.strict (addresses are not read).
     */
    private static final String[][] SYSTEM_PROPERTIES = {
            {"mail.mime.multipart.ignoremissingboundaryparameter", "true"},
            {"mail.mime.multipart.ignoremissingendboundary", "true"},
            {"mail.mime.parameters.strict", "false"},
            {"mail.mime.ignoreunknownencoding", "true"},
            {"mail.mime.base64.ignoreerrors", "true"},
    };
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]");
    private static final Pattern FOLD = Pattern.compile("\\r?\\n(?=[ \\t])|\\r?\\n$");
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");
    private static final Pattern MEDIA_TYPE = Pattern.compile("^\\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)"
            + "(?:\\s*/\\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+))?");
    private static final Pattern CHARSET = Pattern.compile("(?i)charset\\s*=\\s*\"?([^\";\\s]+)");
    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    static {
        for (String[] property : SYSTEM_PROPERTIES) {
            System.getProperties().putIfAbsent(property[0], property[1]);
        }
    }

    private LenientMime() {
    }

    /** The Session messages are parsed in, after the lenient System properties above are in place. */
    static Session session() {
        return Session.getInstance(new Properties());
    }

    /** NUL and the other C0 controls but tab, line feed and carriage return, and DEL, dropped. */
    static String clean(String text) {
        return CONTROL.matcher(text).replaceAll("");
    }

    /** A header's text, decoded and cleaned; "" when there is no such header. */
    static String header(MimeMessage message, String name) throws MessagingException {
        String raw = message.getHeader(name, null);
        return raw == null ? "" : clean(decodeHeader(raw)).strip();
    }

    /**
     * RFC 2047 as mail clients read it: adjacent encoded words of one charset are decoded together (a character may
     * be split between them) and the space between encoded words dropped; an encoded word inside a word is decoded
     * too; an unknown charset falls back; text outside encoded words, read by Jakarta Mail one byte a char, is
     * raw header bytes and decoded as UTF-8 or windows-1252.
     */
    static String decodeHeader(String raw) {
        String value = FOLD.matcher(raw).replaceAll("");
        StringBuilder out = new StringBuilder(value.length());
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        String pendingCharset = null;
        int last = 0;
        Matcher word = ENCODED_WORD.matcher(value);
        while (word.find()) {
            String between = value.substring(last, word.start());
            String charset = word.group(1).replaceFirst("\\*.*$", "");
            boolean adjacent = pendingCharset != null && between.isBlank();
            if (!adjacent || !charset.equalsIgnoreCase(pendingCharset)) {
                out.append(decode(pending.toByteArray(), pendingCharset));
                pending.reset();
                if (!adjacent) {
                    out.append(decode(between.getBytes(StandardCharsets.ISO_8859_1), null));
                }
            }
            byte[] bytes = word.group(2).equalsIgnoreCase("B") ? base64(word.group(3)) : qEncoding(word.group(3));
            pending.writeBytes(bytes);
            pendingCharset = charset;
            last = word.end();
        }
        out.append(decode(pending.toByteArray(), pendingCharset));
        out.append(decode(value.substring(last).getBytes(StandardCharsets.ISO_8859_1), null));
        return out.toString();
    }

    /**
     * The base media type of a part in lower case ("text/plain"); what can be read of a Content-Type that cannot be
     * parsed ("text" alone, or "" for nothing), never an exception.
     */
    static String mimeType(Part part) {
        String header = null;
        try {
            header = part.getContentType();
            return header == null ? "text/plain" : new ContentType(header).getBaseType().toLowerCase(Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            Matcher type = header == null ? null : MEDIA_TYPE.matcher(header);
            if (type == null || !type.find()) {
                return "";
            }
            return (type.group(2) == null ? type.group(1) : type.group(1) + "/" + type.group(2))
                    .toLowerCase(Locale.ROOT);
        }
    }

    /** The text of a part: its body decoded leniently and read in its charset, or the fallback; cleaned. */
    static String text(Part part) throws MessagingException {
        return clean(decode(body(part), charset(part)));
    }

    /** The decoded bytes of a part's body: base64 decoded ignoring errors, an unknown encoding left as it is. */
    private static byte[] body(Part part) throws MessagingException {
        String[] encodings = part.getHeader("Content-Transfer-Encoding");
        String encoding = encodings == null || encodings.length == 0 ? ""
                : encodings[0].strip().toLowerCase(Locale.ROOT);
        try {
            if (encoding.equals("base64")) {
                try (InputStream in = new BASE64DecoderStream(raw(part), true)) {
                    return in.readAllBytes();
                }
            }
            try (InputStream in = part.getInputStream()) {
                return in.readAllBytes();
            } catch (IOException | MessagingException e) {
                // an encoding Jakarta Mail does not know, or a decoder that gave up: the bytes as they are
                try (InputStream in = raw(part)) {
                    return in.readAllBytes();
                }
            }
        } catch (IOException e) {
            throw new MessagingException("the part's body cannot be read: " + e.getMessage(), e);
        }
    }

    private static InputStream raw(Part part) throws MessagingException, IOException {
        if (part instanceof MimeBodyPart body) {
            return body.getRawInputStream();
        }
        if (part instanceof MimeMessage message) {
            return message.getRawInputStream();
        }
        return part.getInputStream();
    }

    private static String charset(Part part) {
        String header = null;
        try {
            header = part.getContentType();
            return header == null ? null : new ContentType(header).getParameter("charset");
        } catch (MessagingException | RuntimeException e) {
            Matcher charset = header == null ? null : CHARSET.matcher(header);
            return charset != null && charset.find() ? charset.group(1) : null;
        }
    }

    /**
     * Bytes as text in the named charset (ISO-8859-1 read as windows-1252); when the name is missing, US-ASCII
     * (which 8-bit mail often claims wrongly), unknown or not a charset name at all: UTF-8 if the bytes are UTF-8,
     * else windows-1252.
     */
    static String decode(byte[] bytes, String charsetName) {
        if (bytes.length == 0) {
            return "";
        }
        Charset charset = charset(charsetName);
        if (charset != null && !charset.equals(StandardCharsets.US_ASCII)) {
            // ISO-8859-1 labelled mail is windows-1252 as often as not (curly quotes, the euro sign): the WHATWG
            // encoding standard, browsers and mail clients read the one as the other
            return new String(bytes, charset.equals(StandardCharsets.ISO_8859_1) ? WINDOWS_1252 : charset);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, WINDOWS_1252);
        }
    }

    private static Charset charset(String name) {
        String mime = name == null ? "" : name.strip().replaceAll("^[\"']|[\"']$", "").strip();
        if (mime.isEmpty() || mime.equalsIgnoreCase("us-ascii") || mime.equalsIgnoreCase("ascii")) {
            return null; // (Jakarta Mail's own map would make "us-ascii" ISO-8859-1)
        }
        try {
            return Charset.forName(MimeUtility.javaCharset(mime));
        } catch (IllegalArgumentException e) {
            // IllegalCharsetNameException and UnsupportedCharsetException both
            return null;
        }
    }

    private static byte[] base64(String text) {
        try (InputStream in = new BASE64DecoderStream(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), true)) {
            return in.readAllBytes();
        } catch (IOException e) {
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    /** RFC 2047 "Q": "_" is a space, "=XX" a byte; a "=" not followed by two hex digits stays as it is. */
    private static byte[] qEncoding(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0
                    && hex(text.charAt(i + 2)) >= 0) {
                out.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
