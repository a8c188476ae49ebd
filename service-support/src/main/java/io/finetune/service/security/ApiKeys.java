package io.finetune.service.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The accepted API keys, each with the role it grants, held only as SHA-256 digests. A presented key is hashed and
 * compared with every digest in constant time, so neither the position of a wrong byte nor which key matched shows in
 * the response time.
 *
 * <p>An entry is {@code [ROLE:]KEY}: ROLE is {@code read} or {@code write}, KEY a plain key or {@code sha256:<hex>}
 * of one. An entry without a role grants {@code write} (which includes read), as every key did before keys had roles,
 * so existing deployments keep working; give new read-only clients {@code read:} keys.
 */
public final class ApiKeys {
    public static final String HASH_PREFIX = "sha256:";
    /** Shorter keys can be guessed; generate them, e.g. {@code openssl rand -hex 32}. */
    static final int MIN_LENGTH = 16;

    private record Entry(byte[] digest, Role role) {
    }

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = entries;
    }

    /** Parses configured entries; a bad entry is named by position only, never by its value. */
    public static ApiKeys parse(List<String> configured) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < configured.size(); i++) {
            String entry = configured.get(i).trim();
            if (entry.isEmpty()) {
                continue;
            }
            Role role = Role.WRITE;
            int colon = entry.indexOf(':');
            if (colon > 0) {
                Optional<Role> named = Role.named(entry.substring(0, colon));
                if (named.isPresent()) {
                    role = named.get();
                    entry = entry.substring(colon + 1).trim();
                }
            }
            entries.add(new Entry(entry.startsWith(HASH_PREFIX)
                    ? hashed(entry.substring(HASH_PREFIX.length()), i + 1) : plain(entry, i + 1), role));
        }
        return new ApiKeys(List.copyOf(entries));
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The role of the presented key; empty when it is none of the accepted keys. */
    public Optional<Role> match(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = sha256(presented);
        Role granted = null;
        for (Entry accepted : entries) {
            // Every entry is compared, match or not; the same key listed twice grants the higher of its roles.
            if (MessageDigest.isEqual(accepted.digest(), digest)) {
                granted = granted == null ? accepted.role() : Role.higher(granted, accepted.role());
            }
        }
        return Optional.ofNullable(granted);
    }

    public boolean matches(String presented) {
        return match(presented).isPresent();
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
            throw new IllegalArgumentException("API key #" + position + " of finetune.auth.api-keys has "
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
