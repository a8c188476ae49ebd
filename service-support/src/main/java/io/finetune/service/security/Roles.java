package io.finetune.service.security;

/** The role names for {@code @RolesAllowed}: constants, so a typo is a compile error rather than a locked door. */
public final class Roles {
    /** Reads: datasets, jobs, evaluations, reports, model weights, predictions. */
    public static final String READ = "read";
    /** Changes: create and fill datasets, import, submit and cancel jobs. A write credential also reads. */
    public static final String WRITE = "write";

    private Roles() {
    }
}
