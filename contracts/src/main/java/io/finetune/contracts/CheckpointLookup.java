package io.finetune.contracts;

/**
 * What looking for a checkpoint came to.
 *
 * @param where where it looked, for the message of a checkpoint found nowhere
 */
public record CheckpointLookup(boolean found, String where) {
}
