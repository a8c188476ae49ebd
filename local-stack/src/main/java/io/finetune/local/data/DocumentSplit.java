package io.finetune.local.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Divides each genre's documents, not its paragraphs, into train, validation and test: paragraphs of one document
 * share names, topics and turns of phrase, so a test paragraph whose neighbours were trained on would flatter the
 * model. Each genre draws from its own seeded random, so choosing a subset of genres leaves every kept genre's split
 * as it is in the full corpus.
 */
final class DocumentSplit {
    private DocumentSplit() {
    }

    static Split of(List<BrownCorpus.Example> examples, List<String> known, SplitOptions options) {
        List<String> genres = options.genres().isEmpty() ? known : options.genres();
        List<String> unknown = genres.stream().filter(g -> !known.contains(g)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown genres " + unknown + "; the corpus has " + known);
        }
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            order.put(examples.get(i).id(), i);
        }
        List<BrownCorpus.Example> train = new ArrayList<>();
        List<BrownCorpus.Example> validation = new ArrayList<>();
        List<BrownCorpus.Example> test = new ArrayList<>();
        for (String genre : new TreeSet<>(genres)) {
            List<BrownCorpus.Example> ofGenre = examples.stream().filter(e -> e.label().equals(genre)).toList();
            Random random = new Random(options.seed() * 1_000_003L + genre.hashCode());
            List<String> documents = new ArrayList<>(new TreeSet<>(ofGenre.stream()
                    .map(BrownCorpus.Example::document).toList()));
            Collections.shuffle(documents, random);
            int nTest = share(documents.size(), options.testFraction());
            int nValidation = share(documents.size(), options.validationFraction());
            if (nTest + nValidation >= documents.size()) {
                throw new IllegalArgumentException("genre " + genre + " has " + documents.size()
                        + " documents: too few to hold out " + nTest + " for test and " + nValidation
                        + " for validation and train on the rest");
            }
            Set<String> testDocs = Set.copyOf(documents.subList(0, nTest));
            Set<String> validationDocs = Set.copyOf(documents.subList(nTest, nTest + nValidation));
            List<BrownCorpus.Example> genreTrain = new ArrayList<>();
            List<BrownCorpus.Example> genreValidation = new ArrayList<>();
            List<BrownCorpus.Example> genreTest = new ArrayList<>();
            for (BrownCorpus.Example e : ofGenre) {
                (testDocs.contains(e.document()) ? genreTest
                        : validationDocs.contains(e.document()) ? genreValidation : genreTrain).add(e);
            }
            train.addAll(cap(genreTrain, options.trainPerClass(), random));
            validation.addAll(cap(genreValidation, options.evalPerClass(), random));
            test.addAll(cap(genreTest, options.evalPerClass(), random));
        }
        Comparator<BrownCorpus.Example> corpusOrder = Comparator.comparing(e -> order.get(e.id()));
        train.sort(corpusOrder);
        validation.sort(corpusOrder);
        test.sort(corpusOrder);
        return new Split(train, validation, test);
    }

    /** round(n · fraction) documents, but at least one whenever the fraction asks for any. */
    private static int share(int n, double fraction) {
        return fraction == 0 ? 0 : Math.max(1, (int) Math.round(n * fraction));
    }

    /** A random {@code max} of the examples (all of them when max is 0 or not less than their number). */
    private static List<BrownCorpus.Example> cap(List<BrownCorpus.Example> examples, int max, Random random) {
        if (max == 0 || examples.size() <= max) {
            return examples;
        }
        List<BrownCorpus.Example> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, random);
        return shuffled.subList(0, max);
    }
}
