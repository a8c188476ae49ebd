package io.finetune.service.security;

/** What became of a request's credential. */
public enum Verdict {
    ACCEPTED,
    /** No credential was sent. */
    MISSING,
    /** An access token that was valid once. */
    EXPIRED,
    /** A credential was sent and is not accepted: unknown key, bad signature, wrong issuer or audience. */
    REFUSED
}
