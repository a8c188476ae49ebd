package io.finetune.local;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The API key a run on this machine makes for itself (the local stack, the deployment replay): random, held by the
 * client only; the services are configured with its hash, so the key never appears on a command line or in a
 * configuration (docs/security.md).
 */
public final class LocalApiKey {
    private LocalApiKey() {
    }

    /** 32 random bytes, hex-encoded. */
    public static String generate() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return HexFormat.of().formatHex(key);
    }

    /** The {@code FINETUNE_API_KEYS} entry that accepts {@code key} with the write role: {@code write:sha256:<hex>}. */
    public static String writeEntry(String key) {
        try {
            return "write:sha256:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
