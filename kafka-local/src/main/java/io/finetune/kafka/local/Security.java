package io.finetune.kafka.local;

import java.util.regex.Pattern;

/**
 * How a secured {@link LocalKafka} lets clients in: a SCRAM-SHA-512 login over SASL_SSL, and certificates signed by
 * the broker's throwaway CA over an SSL listener that requires one (mutual TLS). The SCRAM user is created when the
 * storage is formatted, so it exists before the broker takes its first connection.
 *
 * @param scramUser     the one SCRAM user
 * @param scramPassword its password
 */
public record Security(String scramUser, String scramPassword) {
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    // Letters, digits and a few marks: anything else would need quoting in JAAS and in StorageTool's --add-scram.
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._-]+");

    public Security {
        if (scramUser == null || !PLAIN.matcher(scramUser).matches()) {
            throw new IllegalArgumentException("SCRAM user must be letters, digits, '.', '_' or '-'");
        }
        if (scramPassword == null || !PLAIN.matcher(scramPassword).matches() || scramPassword.length() < 8) {
            // The password itself is never put into a message.
            throw new IllegalArgumentException("SCRAM password must be 8+ letters, digits, '.', '_' or '-'");
        }
    }

    /** A SCRAM user with a random password. */
    public static Security scram(String user) {
        return new Security(user, Secrets.random(24));
    }

    /** StorageTool's argument that creates the user in the cluster metadata at format time. */
    String formatArgument() {
        return SCRAM_MECHANISM + "=[name=" + scramUser + ",password=" + scramPassword + "]";
    }

    @Override
    public String toString() {
        return "Security[scramUser=" + scramUser + ", scramPassword=(hidden)]";
    }
}
