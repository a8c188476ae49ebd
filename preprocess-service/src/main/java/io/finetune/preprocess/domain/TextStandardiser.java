package io.finetune.preprocess.domain;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;
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
        return clean(text, null);
    }

    /**
     * The cleaned text, and in {@code changes} (when not null) each kind of change cleaning made to it. A change
     * that only moved spacing around is {@link TextChange#SPACING}, whatever step made it.
     */
    public String clean(String text, Set<TextChange> changes) {
        if (text == null) {
            return "";
        }
        String s = text;
        if (stripHtml && s.indexOf('<') >= 0) {
            // Tags become spaces so "end.<br />Next" does not glue two words together.
            s = noted(s, TAG.matcher(s).replaceAll(" "), TextChange.MARKUP, changes);
        }
        if (stripHtml) {
            s = noted(s, HtmlEntities.unescape(s), TextChange.ENTITIES, changes);
        }
        s = notedBeyondSpacing(s, Normalizer.normalize(s, Normalizer.Form.NFKC), TextChange.UNICODE, changes);
        if (mayHoldControls(s)) {
            s = noted(s, CONTROL.matcher(s).replaceAll(""), TextChange.CONTROL, changes);
        }
        if (lowercase) {
            s = noted(s, s.toLowerCase(Locale.ROOT), TextChange.CASE, changes);
        }
        if (removeSpecialChars) {
            s = notedBeyondSpacing(s, SPECIAL.matcher(s).replaceAll(" "), TextChange.SPECIAL, changes);
        }
        // Most texts are spaced cleanly already: skipping the regex then gives the same string, faster.
        return spacedCleanly(s) ? s : noted(s, respaced(s), TextChange.SPACING, changes);
    }

    private static String noted(String before, String after, TextChange change, Set<TextChange> changes) {
        if (changes != null && !after.equals(before)) {
            changes.add(change);
        }
        return after;
    }

    /**
     * For the steps that may only move spacing around: NFKC makes a no-break space a space, and the special-character
     * step makes a line separator (U+2028) one. Markup, references and control characters are never spacing.
     */
    private static String notedBeyondSpacing(String before, String after, TextChange change,
                                             Set<TextChange> changes) {
        if (changes != null && !after.equals(before)) {
            changes.add(respaced(after).equals(respaced(before)) ? TextChange.SPACING : change);
        }
        return after;
    }

    private static String respaced(String s) {
        return SPACES.matcher(s).replaceAll(" ").trim();
    }

    /** False only when no character matches {@link #CONTROL}; surrogates are left to the regex. */
    private static boolean mayHoldControls(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            if (Character.isSurrogate(c)
                    || (type == Character.CONTROL || type == Character.FORMAT) && !isJavaSpace(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@link #SPACES} and trim would change nothing: every run of spacing is a single ' ' with text on both
     * sides. Only called after control characters (everything else trim removes) are gone.
     */
    private static boolean spacedCleanly(String s) {
        boolean previousSpace = true; // a leading space is not clean
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean space = isJavaSpace(c) || c >= 0x80 && isSeparator(c);
            if (space && (c != ' ' || previousSpace)) {
                return false;
            }
            previousSpace = space;
        }
        return !previousSpace || s.isEmpty();
    }

    /** What Java regex {@code \s} matches without UNICODE_CHARACTER_CLASS: [ \t\n\x0B\f\r]. */
    private static boolean isJavaSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    private static boolean isSeparator(char c) {
        int type = Character.getType(c);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }

    /** Case, punctuation and spacing removed: "Great movie!" and "great  movie" share this key. */
    public static String normalisedKey(String cleaned) {
        // What replaceAll("[^\\p{L}\\p{N}]+", " ").trim() gives, in one pass without a regex: it runs for every record.
        String lower = cleaned.toLowerCase(Locale.ROOT);
        StringBuilder key = new StringBuilder(lower.length());
        boolean gap = false;
        for (int i = 0; i < lower.length(); ) {
            int c = lower.codePointAt(i);
            i += Character.charCount(c);
            if (isLetterOrNumber(c)) {
                if (gap && !key.isEmpty()) {
                    key.append(' ');
                }
                key.appendCodePoint(c);
                gap = false;
            } else {
                gap = true;
            }
        }
        return key.toString();
    }

    /** Regex {@code [\p{L}\p{N}]}: letters and numbers of every kind (decimal, letter-like, other). */
    private static boolean isLetterOrNumber(int c) {
        if (Character.isLetter(c)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
