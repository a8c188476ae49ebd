package io.finetune.preprocess.config;

import io.finetune.distilbert.ModelResolver;
import io.finetune.preprocess.domain.DatasetPreparer;
import io.finetune.preprocess.domain.DatasetRegistry;
import io.finetune.preprocess.domain.PreparationOptions;
import io.finetune.preprocess.domain.ScratchTokenizers;
import io.finetune.preprocess.domain.Spools;
import io.finetune.preprocess.domain.Tokenizers;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.nio.file.Path;

/** Wires the plain-Java domain objects from the configuration, so the domain stays free of CDI. */
@Dependent
public class Beans {
    @Produces
    @Singleton
    Spools spools(PreprocessConfig config) {
        return new Spools(Path.of(config.dataDir()));
    }

    void closeSpools(@Disposes Spools spools) {
        spools.close();
    }

    @Produces
    @Singleton
    Tokenizers tokenizers(PreprocessConfig config) {
        return new Tokenizers(new ModelResolver(Path.of(config.dataDir(), "models")));
    }

    void closeTokenizers(@Disposes Tokenizers tokenizers) {
        tokenizers.close();
    }

    @Produces
    @Singleton
    DatasetPreparer preparer(Tokenizers tokenizers, PreprocessConfig config) {
        return new DatasetPreparer(tokenizers, new ScratchTokenizers(Path.of(config.dataDir(), "vocabularies"),
                config.scratchVocabSize(), config.scratchMinFrequency()));
    }

    @Produces
    @Singleton
    DatasetRegistry registry() {
        return new DatasetRegistry();
    }

    /** The service's defaults; a dataset's end marker overrides the model, length, balance, fractions and seed. */
    @Produces
    @Singleton
    PreparationOptions defaults(PreprocessConfig config) {
        return new PreparationOptions(config.model(), config.maxLength(), config.balance(),
                config.validationFraction(), config.testFraction(), config.seed(), config.stripHtml(),
                config.lowercase(), config.removeSpecialChars(), config.dedupeNormalised(), config.shardMaxBytes(),
                config.shardMaxExamples());
    }
}
