package io.finetune.preprocess.domain;

import io.finetune.contracts.Hashing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * 64 bits of SHA-256: duplicate detection keeps one long per text instead of the text, and a chance collision among
 * a million texts is about one in 10^7.
 */
final class TextHash {
    static long of(String text) {
        return ByteBuffer.wrap(Hashing.sha256().digest(text.getBytes(StandardCharsets.UTF_8))).getLong();
    }

    private TextHash() {
    }
}
