package io.finetune.service.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the request body limit of an endpoint: {@code finetune.http.body-limit.<name>} bytes. Quarkus has one global
 * limit, which must fit the largest upload; this lets every other endpoint refuse big bodies anyway. Endpoints
 * without it get {@code finetune.http.default-body-limit}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface BodyLimit {
    String value();
}
