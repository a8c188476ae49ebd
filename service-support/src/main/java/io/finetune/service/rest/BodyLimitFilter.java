package io.finetune.service.rest;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;

/**
 * Enforces each endpoint's {@link BodyLimit}: a declared Content-Length over the limit is refused before the body
 * is read (413 problem JSON); a chunked body is counted as it is read and fails once it passes the limit. Runs after
 * authentication, so an anonymous caller learns nothing about limits.
 */
public class BodyLimitFilter {
    private final BodyLimitConfig config;

    public BodyLimitFilter(BodyLimitConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION + 100)
    public Response limit(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceMethod() == null || !request.hasEntity()) {
            return null;
        }
        long limit = limitOf(resource.getResourceMethod());
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                return Long.parseLong(length.trim()) > limit ? tooLarge(limit).getResponse() : null;
            } catch (NumberFormatException e) {
                return Problem.of(Response.Status.BAD_REQUEST, "Content-Length is not a number").getResponse();
            }
        }
        request.setEntityStream(new Limited(request.getEntityStream(), limit));
        return null;
    }

    private long limitOf(Method method) {
        BodyLimit named = method.getAnnotation(BodyLimit.class);
        if (named == null) {
            named = method.getDeclaringClass().getAnnotation(BodyLimit.class);
        }
        if (named == null) {
            return config.defaultBodyLimit();
        }
        Long bytes = config.bodyLimit().get(named.value());
        if (bytes == null) {
            throw new IllegalStateException(method + " names body limit '" + named.value()
                    + "' but finetune.http.body-limit." + named.value() + " is not set");
        }
        return bytes;
    }

    private static WebApplicationException tooLarge(long limit) {
        return Problem.of(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                "the request body is larger than this endpoint's limit of " + limit + " bytes");
    }

    /** A body without Content-Length, cut off at the limit. */
    private static final class Limited extends FilterInputStream {
        private final long limit;
        private long count;

        Limited(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && ++count > limit) {
                throw tooLarge(limit);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (count += n) > limit) {
                throw tooLarge(limit);
            }
            return n;
        }
    }
}
