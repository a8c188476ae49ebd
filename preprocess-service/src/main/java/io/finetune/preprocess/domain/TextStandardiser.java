package io.finetune.preprocess.domain;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Step 1 of the preparation: one canonical form per text, so that duplicates are found and the tokenizer sees no
 * markup. Also computes the looser key of the "after normalisation" duplicate check.
 */
public final class TextStandardiser {
    // A tag starts with a letter, '/', '!' or '?' after '<': "a < b" and "<3" are text, not markup.
    private static final Pattern TAG = Pattern.compile("<[A-Za-z/!?][^<>]{0,2000}>");
    // Control characters other than whitespace carry no meaning for a classifier and break some tokenizers.
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\p{Cf}&&[^\\s]]");
    private static final Pattern SPACES = Pattern.compile("[\\s\\p{Z}]+");
    private static final Pattern SPECIAL = Pattern.compile("[^\\p{L}\\p{N}\\s.,;:!?'\"()\\-]");
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private final boolean stripHtml;
    private final boolean lowercase;
    private final boolean removeSpecialChars;

    public TextStandardiser(boolean stripHtml, boolean lowercase, boolean removeSpecialChars) {
        this.stripHtml = stripHtml;
        this.lowercase = lowercase;
        this.removeSpecialChars = removeSpecialChars;
    }

    /** The cleaned text; empty when nothing but markup and spacing was there. */
    public String clean(String text) {
        if (text == null) {
            return "";
        }
        String s = text;
        if (stripHtml) {
            // Tags become spaces so "end.<br />Next" does not glue two words together.
            s = TAG.matcher(s).replaceAll(" ");
            s = HtmlEntities.unescape(s);
        }
        s = Normalizer.normalize(s, Normalizer.Form.NFKC);
        s = CONTROL.matcher(s).replaceAll("");
        if (lowercase) {
            s = s.toLowerCase(Locale.ROOT);
        }
        if (removeSpecialChars) {
            s = SPECIAL.matcher(s).replaceAll(" ");
        }
        return SPACES.matcher(s).replaceAll(" ").trim();
    }

    /** Case, punctuation and spacing removed: "Great movie!" and "great  movie" share this key. */
    public static String normalisedKey(String cleaned) {
        return NOT_WORD.matcher(cleaned.toLowerCase(Locale.ROOT)).replaceAll(" ").trim();
    }
}
