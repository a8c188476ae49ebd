package io.finetune.distilbert.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/**
 * No answer from the Hub at all: its name does not resolve, nothing accepts the connection or nothing answers in
 * time. For this process the Hub is offline, whatever {@code HF_HUB_OFFLINE} says.
 */
public final class HubUnreachableException extends UncheckedIOException {
    HubUnreachableException(URI endpoint, IOException cause) {
        super("the Hugging Face Hub at " + endpoint + " cannot be reached (" + describe(cause) + ")", cause);
    }

    /** Whether a request failed before the Hub said anything; an HTTP status or a broken transfer is no such case. */
    static boolean isUnreachable(IOException e) {
        return e instanceof ConnectException || e instanceof UnknownHostException
                || e instanceof NoRouteToHostException || e instanceof HttpTimeoutException;
    }

    /** Java's HTTP client often leaves the outer exception without a message and puts the reason in its cause. */
    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "its host name does not resolve";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return e instanceof ConnectException ? "the connection is refused" : e.getClass().getSimpleName();
    }
}
