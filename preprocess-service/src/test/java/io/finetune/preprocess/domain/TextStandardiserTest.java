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

    /** Every HTML5 entity, not the 31 of the hand-written table this replaced. */
    @Test
    void decodesEveryHtml5CharacterReference() {
        assertThat(HtmlEntities.unescape("&frac12; &hearts; &Ograve; &check; &bigstar; &rarr; &NotEqualTilde;"))
                .isEqualTo("\u00BD \u2665 \u00D2 \u2713 \u2605 \u2192 \u2242\u0338");
        assertThat(HtmlEntities.unescape("&hellip;&eacute;&rsquo;&#x1F600;&#128512;&#150;"))
                .isEqualTo("\u2026\u00E9\u2019\uD83D\uDE00\uD83D\uDE00\u2013");
        assertThat(HtmlEntities.unescape("&copy 2024, ?a=1&copy=2, &amp &unknown; AT&T fish&chips"))
                .isEqualTo("\u00A9 2024, ?a=1&copy=2, & &unknown; AT&T fish&chips");
        assertThat(defaults.clean("Caf&eacute; &mdash; &frac34; off&hellip; &#x1F600;"))
                .isEqualTo("Caf\u00E9 \u2014 3\u20444 off... \uD83D\uDE00");
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

    /** What cleaning did to a text, by kind; spacing alone is not a change of its words. */
    @Test
    void saysWhatEachKindOfCleaningChanged() {
        assertThat(changes(defaults, "Subject\nBody")).containsExactly(TextChange.SPACING);
        assertThat(changes(defaults, " runs  of   spaces\t")).containsExactly(TextChange.SPACING);
        assertThat(changes(defaults, "no\u00A0break")).as("NFKC, but only spacing").containsExactly(TextChange.SPACING);
        assertThat(changes(defaults, "end.<br />Next")).containsExactly(TextChange.MARKUP);
        assertThat(changes(defaults, "Fish &amp; chips")).containsExactly(TextChange.ENTITIES);
        assertThat(changes(defaults, "\uFB01ne")).containsExactly(TextChange.UNICODE);
        assertThat(changes(defaults, "bell\u0007 rings")).containsExactly(TextChange.CONTROL);
        assertThat(changes(defaults, "Hello  <b>world</b>")).containsExactly(TextChange.MARKUP, TextChange.SPACING);
        assertThat(changes(defaults, "Already clean.")).isEmpty();
        TextStandardiser strict = new TextStandardiser(true, true, true);
        assertThat(changes(strict, "Hello #world")).containsExactly(TextChange.CASE, TextChange.SPECIAL,
                TextChange.SPACING);
    }

    private static java.util.Set<TextChange> changes(TextStandardiser standardiser, String text) {
        java.util.Set<TextChange> changes = java.util.EnumSet.noneOf(TextChange.class);
        standardiser.clean(text, changes);
        return changes;
    }

    @Test
    void normalisedKeyIgnoresCasePunctuationAndSpacing() {
        assertThat(TextStandardiser.normalisedKey("Great movie!")).isEqualTo(TextStandardiser.normalisedKey("great  MOVIE"));
        assertThat(TextStandardiser.normalisedKey("great movie")).isNotEqualTo(TextStandardiser.normalisedKey("good movie"));
    }

    /** The fast paths skip regexes only where the regexes would change nothing: compared with the regexes alone. */
    @Test
    void fastPathsGiveWhatTheRegexesGive() {
        String[] pieces = {"a", "Wort", "é", "ﬁ", " ", "  ", "\t", "\n", "\u00a0", "\u2028", "\u3000", "\u200b",
                "\u0007", "\u0085", "42", "½", "Ⅻ", "İ", "𝔸", "!?", "\u007f",
                "😀", "<br />", "&amp;", "&nbsp;", "<", ">", "\ud800", "\uFEFF", "\r\n"};
        java.util.Random random = new java.util.Random(3);
        for (boolean lower : new boolean[] {false, true}) {
            for (boolean special : new boolean[] {false, true}) {
                TextStandardiser standardiser = new TextStandardiser(true, lower, special);
                for (int i = 0; i < 5000; i++) {
                    StringBuilder text = new StringBuilder();
                    for (int n = random.nextInt(12); n > 0; n--) {
                        text.append(pieces[random.nextInt(random.nextBoolean() ? 5 : pieces.length)]);
                    }
                    String cleaned = regexesOnly(text.toString(), lower, special);
                    assertThat(standardiser.clean(text.toString())).as("'%s'", text).isEqualTo(cleaned);
                    // The kinds of change say no more and no less than this: the cleaned text differs from the
                    // text itself with its spacing made single spaces (and none at the ends).
                    java.util.Set<TextChange> changes = changes(standardiser, text.toString());
                    String respaced = text.toString().replaceAll("[\\s\\p{Z}]+", " ").replaceAll("^ | $", "");
                    assertThat(changes.stream().anyMatch(c -> c != TextChange.SPACING)).as("changed '%s'", text)
                            .isEqualTo(!cleaned.equals(respaced));
                    assertThat(TextStandardiser.normalisedKey(text.toString())).as("key of '%s'", text)
                            .isEqualTo(text.toString().toLowerCase(java.util.Locale.ROOT)
                                    .replaceAll("[^\\p{L}\\p{N}]+", " ").trim());
                }
            }
        }
    }

    /** The cleaning as it was before the fast paths, regex by regex. */
    private static String regexesOnly(String text, boolean lower, boolean special) {
        String s = text.replaceAll("<[A-Za-z/!?][^<>]{0,2000}>", " ");
        s = HtmlEntities.unescape(s);
        s = java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFKC);
        s = s.replaceAll("[\\p{Cc}\\p{Cf}&&[^\\s]]", "");
        if (lower) {
            s = s.toLowerCase(java.util.Locale.ROOT);
        }
        if (special) {
            s = s.replaceAll("[^\\p{L}\\p{N}\\s.,;:!?'\"()\\-]", " ");
        }
        return s.replaceAll("[\\s\\p{Z}]+", " ").trim();
    }
}
