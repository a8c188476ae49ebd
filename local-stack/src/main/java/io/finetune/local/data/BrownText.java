package io.finetune.local.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One Brown corpus document in NLTK's tagged format ({@code word/tag} tokens, a blank line between paragraphs, one
 * sentence per line) turned into plain paragraphs: tags stripped, tokens joined as printed text would have them.
 */
final class BrownText {
    /** Closing punctuation: written without a space before it. */
    private static final Set<String> CLOSING = Set.of(",", ".", ";", ":", "!", "?", ")", "]", "}", "''", "'", "%");
    /** Opening punctuation: written without a space after it. */
    private static final Set<String> OPENING = Set.of("``", "`", "(", "[", "{", "$");

    /** A paragraph's text and how many of its tokens are words (have a letter or a digit). */
    record Paragraph(String text, int words) {
    }

    private BrownText() {
    }

    static List<Paragraph> paragraphs(String document) {
        List<Paragraph> out = new ArrayList<>();
        List<String> words = new ArrayList<>();
        for (String line : document.split("\n", -1)) {
            if (line.isBlank()) {
                flush(words, out);
            } else {
                for (String token : line.trim().split("\\s+")) {
                    words.add(word(token));
                }
            }
        }
        flush(words, out);
        return out;
    }

    private static void flush(List<String> words, List<Paragraph> out) {
        if (!words.isEmpty()) {
            out.add(new Paragraph(detokenize(words), (int) words.stream().filter(BrownText::isWord).count()));
            words.clear();
        }
    }

    /** The word of a {@code word/tag} token; the tag follows the last slash ({@code 1/2/cd} is the word 1/2). */
    static String word(String token) {
        int slash = token.lastIndexOf('/');
        return slash > 0 ? token.substring(0, slash) : token;
    }

    static String detokenize(List<String> words) {
        StringBuilder text = new StringBuilder();
        boolean spaceNext = false;
        for (String w : words) {
            if (spaceNext && !CLOSING.contains(w)) {
                text.append(' ');
            }
            text.append(printed(w));
            spaceNext = !OPENING.contains(w);
        }
        return text.toString();
    }

    private static String printed(String word) {
        return switch (word) {
            case "``", "''" -> "\"";
            case "`" -> "'";
            default -> word;
        };
    }

    private static boolean isWord(String word) {
        return word.chars().anyMatch(Character::isLetterOrDigit);
    }
}
