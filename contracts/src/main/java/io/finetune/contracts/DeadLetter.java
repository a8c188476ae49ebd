package io.finetune.contracts;

import java.time.Instant;

/**
 * A record that was not accepted, with why, on {@link Topics#DEAD_LETTERS}. Carries its origin so it can be
 * found, fixed and pushed again.
 *
 * @param reason  a stable, countable code such as "invalid-json" or "missing-label"
 * @param detail  a sentence for people
 * @param payload the original value (cut to 64 KiB), so nothing is lost
 */
public record DeadLetter(int v, String service, String origin, String dataset, String reason, String detail,
                         String payload, Instant at) {
    public static final int VERSION = 1;
    public static final int MAX_PAYLOAD_CHARS = 64 * 1024;

    public static DeadLetter of(String service, String origin, String dataset, String reason, String detail,
                                String payload) {
        String kept = payload == null || payload.length() <= MAX_PAYLOAD_CHARS
                ? payload : payload.substring(0, MAX_PAYLOAD_CHARS);
        return new DeadLetter(VERSION, service, origin, dataset, reason, detail, kept, Instant.now());
    }
}
