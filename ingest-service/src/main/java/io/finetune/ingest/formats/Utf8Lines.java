package io.finetune.ingest.formats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A line reader for text uploads that refuses invalid UTF-8. A plain InputStreamReader silently turns bad bytes
 * (a Latin-1 file, a broken body) into U+FFFD, so records would be accepted with text that nobody sent.
 */
final class Utf8Lines extends BufferedReader {
    Utf8Lines(InputStream in) {
        super(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    }

    @Override
    public String readLine() throws IOException {
        try {
            return super.readLine();
        } catch (CharacterCodingException e) {
            throw new IOException("the body is not valid UTF-8 text (a Latin-1 or Windows-1252 file? convert it to"
                    + " UTF-8 first)", e);
        }
    }
}
