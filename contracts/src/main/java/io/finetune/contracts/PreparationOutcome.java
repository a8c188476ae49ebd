package io.finetune.contracts;

/**
 * What preprocess last said of a sealed dataset on {@link Topics#SHARDS}: its manifest (prepared) or a failure.
 * {@link ShardReader#latestOutcome} reads it.
 */
public sealed interface PreparationOutcome permits ShardManifest, PreparationFailed {
}
