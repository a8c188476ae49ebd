package io.finetune.contracts;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A prepared dataset as read back from {@link Topics#SHARDS}: its manifest, its examples by split and, for a dataset
 * tokenized with a vocabulary of its own (model {@code scratch}), the verified zip of its tokenizer files.
 *
 * @param tokenizerArchive the zip the manifest's {@link ShardManifest#tokenizerArchive()} describes, or null
 */
public record DatasetShards(ShardManifest manifest, Map<String, List<TokenizedExample>> splits,
                            byte[] tokenizerArchive) {

    public DatasetShards(ShardManifest manifest, Map<String, List<TokenizedExample>> splits) {
        this(manifest, splits, null);
    }

    public List<TokenizedExample> split(String name) {
        return splits.getOrDefault(name, List.of());
    }

    /**
     * Unpacks the dataset's tokenizer files (tokenizer.json, vocab.txt, tokenizer_config.json, ...) into {@code dir}
     * and returns it; empty when the dataset uses its model's own tokenizer.
     */
    public Optional<Path> writeTokenizer(Path dir) {
        if (tokenizerArchive == null) {
            return Optional.empty();
        }
        ModelArchive.unzip(new ByteArrayInputStream(tokenizerArchive), dir);
        return Optional.of(dir);
    }
}
