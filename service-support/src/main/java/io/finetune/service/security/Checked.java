package io.finetune.service.security;

import java.util.Optional;

/**
 * A checked credential: the verdict and, when accepted, who presented it and what it may do. An accepted OIDC token
 * that carries neither the read nor the write scope or role has no role: it authenticates, and every endpoint answers
 * it 403.
 *
 * @param principal names the caller in logs: {@code api-key} (never the key) or the token's {@code sub}
 */
public record Checked(Verdict verdict, String principal, Optional<Role> role) {
    static final Checked MISSING = new Checked(Verdict.MISSING, null, Optional.empty());
    static final Checked EXPIRED = new Checked(Verdict.EXPIRED, null, Optional.empty());
    static final Checked REFUSED = new Checked(Verdict.REFUSED, null, Optional.empty());

    static Checked accepted(String principal, Optional<Role> role) {
        return new Checked(Verdict.ACCEPTED, principal, role);
    }
}
