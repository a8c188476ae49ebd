package io.finetune.preprocess.domain;

import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.TextTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The cut text must tokenize exactly like the whole one: same ids, same truncation flag. */
class TokenWindowTest {
    private static final String[] PIECES = {"film", "Movie", "über", "naïve", "e\u0301", "\u0301", "東京", "...",
            "!!", "—", "42", "3.14", "don't", "a-b", "😀", "x😀y", "<3", "supercalifragilisticexpialidocious"
            .repeat(4), "ﬁne", "Ⅻ", "", "¿qué?", "(ok)", "\u200b"};

    @TempDir
    Path dir;

    @Test
    void cutTextsTokenizeLikeWholeTextsWithTheBundledTokenizer() {
        Path model = new ModelResolver(dir.resolve("models")).resolve("distilbert-tiny");
        TextStandardiser standardiser = new TextStandardiser(true, false, false);
        Random random = new Random(1);
        for (int maxLength : new int[] {2, 3, 8, 64}) {
            TokenWindow window = TokenWindow.of(model, maxLength);
            assertThat(window).isNotSameAs(TokenWindow.WHOLE);
            try (TextTokenizer tokenizer = TextTokenizer.load(model, maxLength)) {
                List<String> whole = new ArrayList<>();
                List<String> cut = new ArrayList<>();
                int shortened = 0;
                for (int i = 0; i < 400; i++) {
                    String text = standardiser.clean(text(random, random.nextInt(3 * maxLength + 3)));
                    whole.add(text);
                    cut.add(window.cut(text));
                    shortened += cut.get(i).length() < text.length() ? 1 : 0;
                }
                assertThat(shortened).as("texts actually cut at max length %d", maxLength).isGreaterThan(50);
                List<TextTokenizer.Encoded> expected = tokenizer.encodeBatch(whole);
                List<TextTokenizer.Encoded> actual = tokenizer.encodeBatch(cut);
                for (int i = 0; i < whole.size(); i++) {
                    assertThat(actual.get(i).inputIds()).as("ids of '%s'", whole.get(i))
                            .isEqualTo(expected.get(i).inputIds());
                    assertThat(actual.get(i).truncated()).as("truncated '%s'", whole.get(i))
                            .isEqualTo(expected.get(i).truncated());
                }
            }
        }
    }

    @Test
    void cutsAfterTheNthWordWithALetterOrDigit() {
        Path model = new ModelResolver(dir.resolve("models")).resolve("distilbert-tiny");
        TokenWindow window = TokenWindow.of(model, 3);
        assertThat(window.cut("one two three four five")).isEqualTo("one two three");
        assertThat(window.cut("one ... two !! three four")).isEqualTo("one ... two !! three");
        assertThat(window.cut("one two three")).isEqualTo("one two three");
        assertThat(window.cut("a b")).isEqualTo("a b");
    }

    @Test
    void otherTokenizersSeeTheWholeText() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"normalizer": null, "pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE"}}""");
        assertThat(TokenWindow.of(dir, 8)).isSameAs(TokenWindow.WHOLE);
        assertThat(TokenWindow.WHOLE.cut("one two three four five six seven eight nine ten eleven"))
                .isEqualTo("one two three four five six seven eight nine ten eleven");
    }

    @Test
    void anAddedTokenWithASpaceTurnsTheWindowOff() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"added_tokens": [{"content": "new york", "normalized": true}],
                 "normalizer": {"type": "BertNormalizer"}, "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "model": {"type": "WordPiece"}}""");
        assertThat(TokenWindow.of(dir, 8)).isSameAs(TokenWindow.WHOLE);
    }

    private static String text(Random random, int words) {
        StringBuilder s = new StringBuilder();
        for (int w = 0; w < words; w++) {
            s.append(w == 0 ? "" : random.nextInt(10) == 0 ? "  \t" : " ").append(PIECES[random.nextInt(
                    PIECES.length)]);
        }
        return s.toString();
    }
}
