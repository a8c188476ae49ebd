package io.finetune.ingest.formats;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Malformed messages, built byte by byte, of the kinds spam is full of and that mail clients and Python's
 * {@code email} package read all the same; {@link #NO_TEXT} is the one a reader must still reject.
 */
public final class MalformedMail {
    /** base64 with characters outside the alphabet and its padding cut off. */
    public static final String BAD_BASE64 = "bad-base64.eml";
    /** multipart/alternative without a boundary parameter. */
    public static final String NO_BOUNDARY_PARAMETER = "no-boundary-parameter.eml";
    /** multipart/mixed whose closing boundary never comes. */
    public static final String NO_END_BOUNDARY = "no-end-boundary.eml";
    /** NUL (and BEL, ESC) characters in the Subject, the Message-ID and the body. */
    public static final String NUL_CHARACTERS = "nul-characters.eml";
    /** text/plain in a charset nobody knows, and an RFC 2047 subject in another. */
    public static final String UNKNOWN_CHARSET = "unknown-charset.eml";
    /** a charset name that is not even a legal name, over Latin-1 bytes. */
    public static final String ILLEGAL_CHARSET = "illegal-charset.eml";
    /** quoted-printable ending in a soft line break "=" with nothing after it. */
    public static final String QP_SOFT_BREAK_AT_END = "qp-soft-break-at-end.eml";
    /** boundary=----=_NextPart_... unquoted (an "=" in an unquoted parameter value). */
    public static final String UNQUOTED_BOUNDARY = "unquoted-boundary.eml";
    /** says multipart, but the boundary never appears: plain text under a multipart header. */
    public static final String BOUNDARY_NEVER_FOUND = "boundary-never-found.eml";
    /** raw UTF-8 bytes in the Subject and a character split across two encoded words. */
    public static final String RAW_8BIT_SUBJECT = "raw-8bit-subject.eml";
    /** an unknown Content-Transfer-Encoding on the text part. */
    public static final String UNKNOWN_TRANSFER_ENCODING = "unknown-transfer-encoding.eml";
    /** no subject and only an attachment: nothing to read. */
    public static final String NO_TEXT = "no-text.eml";

    /** Every malformed message by file name, {@link #NO_TEXT} last. */
    public static Map<String, byte[]> all() {
        Map<String, byte[]> mails = new LinkedHashMap<>();
        String password = Base64.getEncoder().encodeToString(ascii("Your password expires today."));
        // 28 bytes: the encoding ends "==". Cut the padding off and sprinkle characters base64 does not have.
        String broken = password.substring(0, 8) + "!*\u00a7" + password.substring(8, 20) + " ~ "
                + password.substring(20).replace("=", "");
        mails.put(BAD_BASE64, bytes("From: it@example.com\r\n"
                + "Subject: Password expiry\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n"
                + broken + "\r\n"));
        mails.put(NO_BOUNDARY_PARAMETER, bytes("From: prize@example.com\r\n"
                + "Subject: You won\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/alternative\r\n"
                + "\r\n"
                + "--sep42\r\n"
                + "Content-Type: text/plain\r\n"
                + "\r\n"
                + "Click the link to claim your prize\r\n"
                + "--sep42\r\n"
                + "Content-Type: text/html\r\n"
                + "\r\n"
                + "<p>Click <a href=\"http://x.example\">the link</a></p>\r\n"
                + "--sep42--\r\n"));
        mails.put(NO_END_BOUNDARY, bytes("From: hr@example.com\r\n"
                + "Subject: Payroll update\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
                + "\r\n"
                + "--b\r\n"
                + "Content-Type: text/plain\r\n"
                + "\r\n"
                + "First part\r\n"
                + "--b\r\n"
                + "Content-Type: text/plain\r\n"
                + "\r\n"
                + "Second part, never closed\r\n"));
        mails.put(NUL_CHARACTERS, bytes("From: bank@example.com\r\n"
                + "Subject: Urgent\0 notice\u0007\r\n"
                + "Message-ID: <n\0ul@example.com>\r\n"
                + "Content-Type: text/plain\r\n"
                + "\r\n"
                + "Pay\0 now\u001b\0\r\n\tor lose access\r\n"));
        mails.put(UNKNOWN_CHARSET, concat(bytes("From: bank@example.com\r\n"
                + "Subject: =?x-no-such-charset?Q?Caf=C3=A9_gratuit?=\r\n"
                + "Content-Type: text/plain; charset=\"x-unknown-8bit\"\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"), "Überweisung sofort bestätigen\r\n".getBytes(StandardCharsets.UTF_8)));
        mails.put(ILLEGAL_CHARSET, concat(bytes("From: shop@example.com\r\n"
                + "Subject: Offer\r\n"
                + "Content-Type: text/plain; charset=\"bogus charset!\"\r\n"
                + "\r\n"), "Caf\u00e9 gratuit \u00e0 volont\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        mails.put(QP_SOFT_BREAK_AT_END, bytes("From: it@example.com\r\n"
                + "Subject: Mailbox full\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n"
                + "\r\n"
                + "Verify your acc=\r\n"
                + "ount now, your mailbox is 99=25 full=\r\n"
                + "=E2=80=A6=")); // a soft break with nothing after it, not even CRLF
        mails.put(UNQUOTED_BOUNDARY, bytes("From: parcel@example.com\r\n"
                + "Subject: Parcel waiting\r\n"
                + "Content-Type: multipart/alternative; boundary=----=_NextPart_000_0012_01D2\r\n"
                + "\r\n"
                + "------=_NextPart_000_0012_01D2\r\n"
                + "Content-Type: text/plain\r\n"
                + "\r\n"
                + "Your parcel is waiting\r\n"
                + "------=_NextPart_000_0012_01D2--\r\n"));
        mails.put(BOUNDARY_NEVER_FOUND, bytes("From: deals@example.com\r\n"
                + "Subject: Deal\r\n"
                + "Content-Type: multipart/mixed; boundary=\"nowhere\"\r\n"
                + "\r\n"
                + "Dear customer, the deal ends tonight.\r\n"));
        mails.put(RAW_8BIT_SUBJECT, concat(("From: bank@example.com\r\nSubject: Compte bloqu\u00e9 "
                        + "=?UTF-8?Q?d=C3?= =?UTF-8?Q?=A9finitivement?=\r\n").getBytes(StandardCharsets.UTF_8),
                bytes("Content-Type: text/plain\r\n\r\nUnlock it here\r\n")));
        mails.put(UNKNOWN_TRANSFER_ENCODING, bytes("From: it@example.com\r\n"
                + "Subject: Quota\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8-bit\r\n"
                + "\r\n"
                + "Your quota is exceeded\r\n"));
        mails.put(NO_TEXT, bytes("From: nobody@example.com\r\n"
                + "Content-Type: multipart/mixed; boundary=\"a\"\r\n"
                + "\r\n"
                + "--a\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Disposition: attachment; filename=\"payload.bin\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n"
                + Base64.getEncoder().encodeToString(ascii("MZ\0\0 not text")) + "\r\n"
                + "--a--\r\n"));
        return mails;
    }

    /** The messages as one mbox mailbox (line ends LF, as mbox files have them), in the order of {@link #all()}. */
    public static byte[] mbox() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] mail : all().values()) {
            out.writeBytes(ascii("From spam@example.com Mon Jan  1 00:00:00 2024\n"));
            String latin1 = new String(mail, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
            out.writeBytes(latin1.getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(ascii(latin1.endsWith("\n") ? "\n" : "\n\n"));
        }
        return out.toByteArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private MalformedMail() {
    }
}
