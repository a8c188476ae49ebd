package io.finetune.service.rest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;

/** Request body limits per endpoint; quarkus.http.limits.max-body-size must be at least the largest. */
@ConfigMapping(prefix = "finetune.http")
public interface BodyLimitConfig {
    /** Bytes a request body may have where the endpoint names no {@link BodyLimit}: small JSON requests. */
    @WithDefault("65536")
    long defaultBodyLimit();

    /** Bytes per {@link BodyLimit} name. */
    Map<String, Long> bodyLimit();
}
