package io.finetune.distilbert.hub;

/**
 * The Hub answered, and has no model by that id, or shows it only with an access token (private or gated), which
 * this downloader does not send: the id is misspelt, or the model must reach the cache another way.
 */
public final class ModelNotOnHubException extends IllegalArgumentException {
    ModelNotOnHubException(String message) {
        super(message);
    }
}
