package io.finetune.preprocess.domain;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How many texts cleaning changed, and how: the "standardise" step of the cleaning report. A text counts as changed
 * only when its words changed (markup, references, compatibility forms, control characters, case, special
 * characters); one whose only change was its spacing is counted apart, since the tokenizer sees the same tokens.
 * A changed text counts once under each kind of change it had.
 */
final class TextChanges {
    private static final Set<TextChange> SPACING_ONLY = Set.of(TextChange.SPACING);
    private final Map<TextChange, Integer> byKind = new EnumMap<>(TextChange.class);
    private int changed;
    private int respacedOnly;

    /** @param changes what cleaning did to one text */
    void count(Set<TextChange> changes) {
        if (changes.equals(SPACING_ONLY)) {
            respacedOnly++;
            return;
        }
        boolean real = false;
        for (TextChange change : changes) {
            if (change != TextChange.SPACING) {
                byKind.merge(change, 1, Integer::sum);
                real = true;
            }
        }
        changed += real ? 1 : 0;
    }

    /** E.g. "3 texts changed (markup removed in 2, ...); 191 only re-spaced (...)". */
    String describe() {
        List<String> kinds = new ArrayList<>();
        byKind.forEach((kind, texts) -> kinds.add(kind.description() + " in " + texts));
        String described = changed == 0 ? "no text changed"
                : changed + (changed == 1 ? " text" : " texts") + " changed (" + String.join(", ", kinds) + ")";
        return respacedOnly == 0 ? described : described + "; " + respacedOnly + " only re-spaced (line breaks and"
                + " runs of spaces made one space, which the tokenizer does not tell apart: not counted as changed)";
    }
}
