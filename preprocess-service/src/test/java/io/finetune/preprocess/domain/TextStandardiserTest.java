package io.finetune.preprocess.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextStandardiserTest {
    private final TextStandardiser defaults = new TextStandardiser(true, false, false);

    @Test
    void stripsMarkupUnescapesEntitiesAndCollapsesSpacing() {
        assertThat(defaults.clean("  Great film.<br /><br />Loved   it &amp; the cast&#39;s work&nbsp;!\t\n"))
                .isEqualTo("Great film. Loved it & the cast's work !");
    }

    @Test
    void keepsComparisonsAndUnknownEntitiesAsText() {
        assertThat(defaults.clean("a < b and c > d, <3 &unknown; AT&T")).isEqualTo("a < b and c > d, <3 &unknown; AT&T");
    }

    @Test
    void appliesNfkcAndDropsControlCharacters() {
        // Full-width letters and the "ﬁ" ligature become plain ASCII; a zero-width space and a bell vanish.
        assertThat(defaults.clean("ＡＢＣ ﬁne\u200B\u0007!")).isEqualTo("ABC fine!");
    }

    @Test
    void markupOnlyTextBecomesEmpty() {
        assertThat(defaults.clean("<p> <br/> </p>")).isEmpty();
        assertThat(defaults.clean(null)).isEmpty();
    }

    @Test
    void caseAndSpecialCharactersOnlyWhenAsked() {
        TextStandardiser strict = new TextStandardiser(true, true, true);
        assertThat(defaults.clean("Hello #World @home")).isEqualTo("Hello #World @home");
        assertThat(strict.clean("Hello #World @home")).isEqualTo("hello world home");
    }

    @Test
    void htmlIsKeptWhenStrippingIsOff() {
        assertThat(new TextStandardiser(false, false, false).clean("a<br />b")).isEqualTo("a<br />b");
    }

    @Test
    void normalisedKeyIgnoresCasePunctuationAndSpacing() {
        assertThat(TextStandardiser.normalisedKey("Great movie!")).isEqualTo(TextStandardiser.normalisedKey("great  MOVIE"));
        assertThat(TextStandardiser.normalisedKey("great movie")).isNotEqualTo(TextStandardiser.normalisedKey("good movie"));
    }
}
