package io.finetune.local.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Train, validation and test examples; each list in corpus order. */
public record Split(List<BrownCorpus.Example> train, List<BrownCorpus.Example> validation,
                    List<BrownCorpus.Example> test) {
    public Split {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }

    /** The splits by their names ({@code train}, {@code validation}, {@code test}), in that order. */
    public Map<String, List<BrownCorpus.Example>> byName() {
        Map<String, List<BrownCorpus.Example>> out = new LinkedHashMap<>();
        out.put("train", train);
        out.put("validation", validation);
        out.put("test", test);
        return out;
    }

    /** The labels present in the split, sorted. */
    public List<String> labels() {
        return byName().values().stream().flatMap(List::stream).map(BrownCorpus.Example::label).distinct().sorted()
                .toList();
    }
}
