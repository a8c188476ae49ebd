package io.finetune.service.security;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a credential may do. {@link #READ}: read datasets, jobs, reports, model weights and ask for predictions.
 * {@link #WRITE}: everything READ may, and create datasets, add records, import, submit and cancel jobs. Resource
 * methods name the role they need with {@code @RolesAllowed(Roles.READ)} or {@code @RolesAllowed(Roles.WRITE)}.
 */
public enum Role {
    READ(Set.of(Roles.READ)),
    WRITE(Set.of(Roles.READ, Roles.WRITE));

    private final Set<String> grants;

    Role(Set<String> grants) {
        this.grants = grants;
    }

    /** The role names a security identity with this role carries: write implies read. */
    public Set<String> grants() {
        return grants;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code read} or {@code write}, in any case; empty for anything else. */
    static Optional<Role> named(String name) {
        for (Role role : values()) {
            if (role.label().equalsIgnoreCase(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    static Role higher(Role a, Role b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
