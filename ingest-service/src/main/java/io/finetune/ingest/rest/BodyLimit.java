package io.finetune.ingest.rest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which request body limit of {@code ingest.limits} applies to an endpoint. Quarkus has one global limit, which must
 * fit the largest import; this lets small JSON endpoints refuse big bodies anyway. Unannotated endpoints get JSON's.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface BodyLimit {
    Kind value();

    enum Kind { JSON, UPLOAD, IMPORT }
}
