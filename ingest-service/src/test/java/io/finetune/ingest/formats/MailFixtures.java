package io.finetune.ingest.formats;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Hand-written RFC 822 messages: the MIME features real phishing corpora are full of. */
public final class MailFixtures {
    /** multipart/alternative: quoted-printable text (é, a soft line break) and base64 HTML; an RFC 2047 subject. */
    public static String alternative(String messageId) {
        String html = "<html><body><p>Your account is <b>locked</b>.</p></body></html>";
        return "From: bank@example.com\r\n"
                + "To: you@example.com\r\n"
                + "Subject: =?UTF-8?B?" + base64("Vérifiez votre compte") + "?=\r\n"
                + "Message-ID: <" + messageId + ">\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
                + "\r\n"
                + "--b1\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: quoted-printable\r\n"
                + "\r\n"
                + "Cliquez ici pour v=C3=A9rifier votre compte imm=\r\n"
                + "=C3=A9diatement.\r\n"
                + "--b1\r\n"
                + "Content-Type: text/html; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n"
                + base64(html) + "\r\n"
                + "--b1--\r\n";
    }

    /** multipart/mixed: an HTML-only body in base64 and a PDF attachment that must not become text. */
    public static String htmlWithAttachment() {
        String html = "<html><head><style>p {color: red}</style></head>"
                + "<body><p>Invoice <a href=\"http://x.example\">attached</a></p><script>evil()</script></body></html>";
        return "From: billing@example.com\r\n"
                + "Subject: Invoice 42\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"m1\"\r\n"
                + "\r\n"
                + "--m1\r\n"
                + "Content-Type: text/html; charset=ISO-8859-1\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n"
                + Base64.getMimeEncoder().encodeToString(html.getBytes(StandardCharsets.ISO_8859_1)) + "\r\n"
                + "--m1\r\n"
                + "Content-Type: application/pdf; name=\"invoice.pdf\"\r\n"
                + "Content-Disposition: attachment; filename=\"invoice.pdf\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n"
                + base64("%PDF-1.4 secret attachment text") + "\r\n"
                + "--m1--\r\n";
    }

    /** Three messages; the third's body has a line starting "From " escaped as "&gt;From ". */
    public static String mbox() {
        return "From alice@example.com Mon Jan  1 00:00:00 2024\n"
                + "From: alice@example.com\nSubject: First\nMessage-ID: <m1@example.com>\n\nHello one.\n\n"
                + "From bob@example.com Mon Jan  1 00:00:01 2024\n"
                + alternative("m2@example.com").replace("\r\n", "\n") + "\n"
                + "From carol@example.com Mon Jan  1 00:00:02 2024\n"
                + "From: carol@example.com\nSubject: Third\n\nLine one\n>From here on\nend\n";
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private MailFixtures() {
    }
}
