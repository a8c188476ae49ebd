package io.finetune.service.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The accepted API keys, held only as SHA-256 digests. A presented key is hashed and compared with every digest in
 * constant time, so neither the position of a wrong byte nor which key matched shows in the response time.
 */
public final class ApiKeys {
    public static final String HASH_PREFIX = "sha256:";
    /** Shorter keys can be guessed; generate them, e.g. {@code openssl rand -hex 32}. */
    static final int MIN_LENGTH = 16;

    private final List<byte[]> digests;

    private ApiKeys(List<byte[]> digests) {
        this.digests = digests;
    }

    /** Parses configured entries; a bad entry is named by position only, never by its value. */
    public static ApiKeys parse(List<String> entries) {
        List<byte[]> digests = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i).trim();
            if (entry.isEmpty()) {
                continue;
            }
            digests.add(entry.startsWith(HASH_PREFIX) ? hashed(entry.substring(HASH_PREFIX.length()), i + 1)
                    : plain(entry, i + 1));
        }
        return new ApiKeys(List.copyOf(digests));
    }

    public boolean isEmpty() {
        return digests.isEmpty();
    }

    public boolean matches(String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] accepted : digests) {
            match |= MessageDigest.isEqual(accepted, digest);
        }
        return match;
    }

    /** The {@code sha256:<hex>} form of a key, to configure instead of the key itself. */
    public static String hash(String key) {
        return HASH_PREFIX + HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] plain(String key, int position) {
        if (key.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("API key #" + position + " of finetune.auth.api-keys is shorter than "
                    + MIN_LENGTH + " characters");
        }
        return sha256(key);
    }

    private static byte[] hashed(String hex, int position) {
        if (!hex.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("API key #" + position + " of finetune.auth.api-keys starts with "
                    + HASH_PREFIX + " but is not followed by 64 hex digits (a SHA-256)");
        }
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
