package io.finetune.kafka.local;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a secured {@link LocalKafka} lets clients in and what they may do once in.
 *
 * <ul>
 *   <li>SCRAM-SHA-512 logins over SASL_SSL: every SCRAM user is created when the storage is formatted, so it exists
 *       before the broker takes its first connection. Principal {@code User:<name>}.</li>
 *   <li>Mutual TLS: one client certificate per TLS user, subject {@code CN=<name>}, signed by the broker's throwaway
 *       CA. The broker keeps Kafka's default principal mapping, so the principal is {@code User:CN=<name>}, as on a
 *       Strimzi cluster (whose user operator issues exactly such certificates).</li>
 *   <li>With {@link Builder#authorization() authorization}, Kafka's {@code StandardAuthorizer}: nothing is allowed
 *       without an ACL ({@link LocalKafka#grant}), except for the super users, the broker itself ({@code User:CN=broker})
 *       and the harness's admin certificate ({@link #ADMIN}, {@code User:CN=local-admin}, over mutual TLS), which
 *       creates topics and grants ACLs ({@link SecureAccess#adminClient()}).</li>
 *   <li>Optionally a PLAINTEXT listener (unauthenticated; principal {@code User:ANONYMOUS}), to replay a cluster
 *       that has one.</li>
 * </ul>
 *
 * Build one with {@link #builder()}; {@link #scram(String)} is the original one-user broker without authorization.
 */
public final class Security {
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    /** The harness's own TLS user ({@code User:CN=local-admin}): a super user. Its certificate is always made. */
    public static final String ADMIN = "local-admin";
    /** The broker's certificate subject, and so its principal on the SSL listeners: a super user. */
    public static final String BROKER_PRINCIPAL = "User:CN=broker";
    // Letters, digits and a few marks: anything else would need quoting in JAAS and in StorageTool's --add-scram.
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._-]+");

    /**
     * Listeners a secured broker may have besides its mutual-TLS one (TLS that requires a client certificate), which
     * is always there: the broker replicates and reaches its controller over it, and the admin logs in on it.
     */
    public enum Listener {
        /** SCRAM-SHA-512 over TLS. */
        SASL_SSL,
        /** No TLS, no login. */
        PLAINTEXT
    }

    private final Map<String, String> scramUsers;
    private final List<String> tlsUsers;
    private final boolean authorization;
    private final Set<Listener> listeners;
    private final Map<String, String> brokerConfig;

    private Security(Builder b) {
        this.scramUsers = Collections.unmodifiableMap(new LinkedHashMap<>(b.scramUsers));
        this.tlsUsers = List.copyOf(b.tlsUsers);
        this.authorization = b.authorization;
        this.listeners = Collections.unmodifiableSet(b.listeners.isEmpty() ? EnumSet.noneOf(Listener.class)
                : EnumSet.copyOf(b.listeners));
        this.brokerConfig = Collections.unmodifiableMap(new LinkedHashMap<>(b.brokerConfig));
    }

    /**
     * The original secured broker: one SCRAM user with a random password, a client certificate for a TLS user of the
     * same name, SASL_SSL and mutual TLS, no authorization (every authenticated client may do anything).
     */
    public static Security scram(String user) {
        return builder().scramUser(user).tlsUser(user).build();
    }

    /** SCRAM user with a password of its own (8+ letters, digits, '.', '_' or '-'), no authorization. */
    public Security(String scramUser, String scramPassword) {
        this(builder().scramUser(scramUser, scramPassword).tlsUser(scramUser));
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, String> scramUsers = new LinkedHashMap<>();
        private final Set<String> tlsUsers = new LinkedHashSet<>();
        private final Map<String, String> brokerConfig = new LinkedHashMap<>();
        private Set<Listener> listeners = EnumSet.of(Listener.SASL_SSL);
        private boolean authorization;

        private Builder() {
        }

        /** A SCRAM user with a random password. */
        public Builder scramUser(String user) {
            return scramUser(user, Secrets.random(24));
        }

        public Builder scramUser(String user, String password) {
            checkName(user);
            if (password == null || !PLAIN.matcher(password).matches() || password.length() < 8) {
                // The password itself is never put into a message.
                throw new IllegalArgumentException("SCRAM password must be 8+ letters, digits, '.', '_' or '-'");
            }
            scramUsers.put(user, password);
            return this;
        }

        public Builder scramUsers(Iterable<String> users) {
            users.forEach(this::scramUser);
            return this;
        }

        /** A TLS user: a client certificate with subject {@code CN=<user>}, principal {@code User:CN=<user>}. */
        public Builder tlsUser(String user) {
            checkName(user);
            if (List.of("broker", "ca", "truststore", ADMIN).contains(user)) {
                throw new IllegalArgumentException(user + " is a name the TLS material uses itself");
            }
            tlsUsers.add(user);
            return this;
        }

        public Builder tlsUsers(Iterable<String> users) {
            users.forEach(this::tlsUser);
            return this;
        }

        /** Turns on Kafka's StandardAuthorizer: only super users and ACLs granted with LocalKafka.grant let through. */
        public Builder authorization() {
            this.authorization = true;
            return this;
        }

        /** The listeners besides the mutual-TLS one (default: SASL_SSL); may be empty. */
        public Builder listeners(Set<Listener> listeners) {
            this.listeners = listeners.isEmpty() ? EnumSet.noneOf(Listener.class) : EnumSet.copyOf(listeners);
            return this;
        }

        /** A line for server.properties beyond what LocalKafka writes (e.g. ssl.principal.mapping.rules). */
        public Builder brokerConfig(String key, String value) {
            brokerConfig.put(key, value);
            return this;
        }

        public Security build() {
            return new Security(this);
        }

        private static void checkName(String user) {
            if (user == null || !PLAIN.matcher(user).matches()) {
                throw new IllegalArgumentException("user names must be letters, digits, '.', '_' or '-'");
            }
        }
    }

    /** SCRAM users and their passwords, in the order given (without the admin). */
    public Map<String, String> scramUsers() {
        return scramUsers;
    }

    /** TLS users, in the order given. */
    public List<String> tlsUsers() {
        return tlsUsers;
    }

    public boolean authorization() {
        return authorization;
    }

    public Set<Listener> listeners() {
        return listeners;
    }

    public Map<String, String> brokerConfig() {
        return brokerConfig;
    }

    /** The first SCRAM user, the one {@link SecureAccess#scramClient()} logs in as; null when there is none. */
    public String scramUser() {
        return scramUsers.isEmpty() ? null : scramUsers.keySet().iterator().next();
    }

    /** The first SCRAM user's password. */
    public String scramPassword() {
        return scramUsers.isEmpty() ? null : scramUsers.values().iterator().next();
    }

    /** A SCRAM user's password. */
    public String password(String user) {
        String password = scramUsers.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no SCRAM user " + user);
        }
        return password;
    }

    /** The principals with every right: the broker and the harness's admin. */
    public List<String> superUsers() {
        return List.of(BROKER_PRINCIPAL, "User:CN=" + ADMIN);
    }

    /** The certificates to make: the TLS users' and the admin's. */
    List<String> certificateUsers() {
        List<String> users = new ArrayList<>(tlsUsers);
        users.add(ADMIN);
        return users;
    }

    /** StorageTool's arguments that create the SCRAM users in the cluster metadata at format time. */
    List<String> formatArguments() {
        List<String> args = new ArrayList<>();
        scramUsers.forEach((user, password) -> {
            args.add("--add-scram");
            args.add(SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]");
        });
        return args;
    }

    @Override
    public String toString() {
        return "Security[scramUsers=" + scramUsers.keySet() + ", tlsUsers=" + tlsUsers + ", authorization="
                + authorization + ", listeners=" + listeners + ", passwords=(hidden)]";
    }
}
