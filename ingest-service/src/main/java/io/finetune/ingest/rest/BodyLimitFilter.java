package io.finetune.ingest.rest;

import io.finetune.ingest.config.IngestConfig;
import io.finetune.service.rest.Problem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Enforces each endpoint's {@link BodyLimit}: a declared Content-Length over the limit is refused before the body
 * is read (413 problem JSON); a chunked body is counted as it is read and fails once it passes the limit.
 */
public class BodyLimitFilter {
    private final IngestConfig config;

    public BodyLimitFilter(IngestConfig config) {
        this.config = config;
    }

    @ServerRequestFilter
    public Response limit(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceMethod() == null || !request.hasEntity()) {
            return null;
        }
        BodyLimit annotation = resource.getResourceMethod().getAnnotation(BodyLimit.class);
        BodyLimit.Kind kind = annotation == null ? BodyLimit.Kind.JSON : annotation.value();
        long limit = switch (kind) {
            case JSON -> config.limits().jsonBodyBytes();
            case UPLOAD -> config.limits().uploadBodyBytes();
            case IMPORT -> config.limits().importBodyBytes();
        };
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > limit) {
                    return tooLarge(limit).getResponse();
                }
                return null;
            } catch (NumberFormatException e) {
                return Problem.of(Response.Status.BAD_REQUEST, "Content-Length is not a number").getResponse();
            }
        }
        request.setEntityStream(new Limited(request.getEntityStream(), limit));
        return null;
    }

    private static jakarta.ws.rs.WebApplicationException tooLarge(long limit) {
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
