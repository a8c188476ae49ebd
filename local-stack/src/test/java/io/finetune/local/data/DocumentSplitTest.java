package io.finetune.local.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocumentSplitTest {
    private final BrownCorpus corpus = BrownCorpus.parse(TestTarballs.corpus(10, 6, "lore", "news", "romance"));

    @Test
    void noDocumentHasParagraphsInTwoSplitsAndNoParagraphIsLost() {
        Split split = corpus.split(SplitOptions.defaults());

        Set<String> train = documents(split.train());
        Set<String> validation = documents(split.validation());
        Set<String> test = documents(split.test());
        assertThat(train).doesNotContainAnyElementsOf(validation).doesNotContainAnyElementsOf(test);
        assertThat(validation).doesNotContainAnyElementsOf(test);
        assertThat(Stream.of(split.train(), split.validation(), split.test()).mapToInt(List::size).sum())
                .isEqualTo(corpus.examples().size());
        // 10 documents per genre: 1 for validation (10%), 2 for test (20%), 7 to train on
        assertThat(perLabel(documentsOf(split.test()))).containsOnly(
                Map.entry("lore", 2L), Map.entry("news", 2L), Map.entry("romance", 2L));
        assertThat(validation).hasSize(3);
        assertThat(train).hasSize(21);
    }

    @Test
    void theSeedDecidesTheSplitAndNothingElseDoes() {
        Split a = corpus.split(SplitOptions.defaults().withSeed(7));

        assertThat(corpus.split(SplitOptions.defaults().withSeed(7))).isEqualTo(a);
        assertThat(documents(corpus.split(SplitOptions.defaults().withSeed(8)).test()))
                .isNotEqualTo(documents(a.test()));
    }

    @Test
    void aGenreSubsetKeepsEachKeptGenresDocumentsWhereTheyWere() {
        Split all = corpus.split(SplitOptions.defaults());
        Split some = corpus.split(SplitOptions.defaults().withGenres(List.of("romance", "lore")));

        assertThat(some.labels()).containsExactly("lore", "romance");
        assertThat(some.test()).isEqualTo(all.test().stream().filter(e -> !e.label().equals("news")).toList());
        assertThat(some.train()).isEqualTo(all.train().stream().filter(e -> !e.label().equals("news")).toList());
    }

    @Test
    void capsDrawAtMostThatManyParagraphsPerClassFromTheSameDocuments() {
        Split all = corpus.split(SplitOptions.defaults());
        Split capped = corpus.split(SplitOptions.defaults().withTrainPerClass(5).withEvalPerClass(2));

        assertThat(perLabel(capped.train())).containsOnly(
                Map.entry("lore", 5L), Map.entry("news", 5L), Map.entry("romance", 5L));
        assertThat(perLabel(capped.test())).containsOnly(
                Map.entry("lore", 2L), Map.entry("news", 2L), Map.entry("romance", 2L));
        assertThat(perLabel(capped.validation())).containsOnly(
                Map.entry("lore", 2L), Map.entry("news", 2L), Map.entry("romance", 2L));
        assertThat(all.train()).containsAll(capped.train());
        assertThat(all.test()).containsAll(capped.test());
        assertThat(documents(capped.train())).hasSizeGreaterThan(5); // drawn across documents, not the first one
    }

    @Test
    void unknownGenresAndGenresWithTooFewDocumentsAreRefused() {
        assertThatThrownBy(() -> corpus.split(SplitOptions.defaults().withGenres(List.of("news", "poetry"))))
                .hasMessageContaining("unknown genres [poetry]");
        BrownCorpus tiny = BrownCorpus.parse(TestTarballs.corpus(2, 3, "news", "romance"));
        assertThatThrownBy(() -> tiny.split(SplitOptions.defaults()))
                .hasMessageContaining("genre news has 2 documents");
        assertThat(tiny.split(SplitOptions.defaults().withFractions(0, 0.2)).test()).hasSize(6);
    }

    private static Set<String> documents(List<BrownCorpus.Example> examples) {
        return examples.stream().map(BrownCorpus.Example::document).collect(Collectors.toSet());
    }

    private static List<BrownCorpus.Example> documentsOf(List<BrownCorpus.Example> examples) {
        return examples.stream().collect(Collectors.toMap(BrownCorpus.Example::document, e -> e, (a, b) -> a))
                .values().stream().toList();
    }

    private static Map<String, Long> perLabel(List<BrownCorpus.Example> examples) {
        return examples.stream().collect(Collectors.groupingBy(BrownCorpus.Example::label, Collectors.counting()));
    }
}
