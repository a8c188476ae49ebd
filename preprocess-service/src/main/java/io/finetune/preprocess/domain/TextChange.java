package io.finetune.preprocess.domain;

/** One kind of change cleaning makes to a text ({@link TextStandardiser#clean(String, java.util.Set)}). */
public enum TextChange {
    MARKUP("markup removed"),
    ENTITIES("character references decoded"),
    UNICODE("Unicode compatibility forms unified (NFKC)"),
    CONTROL("control characters removed"),
    CASE("lower-cased"),
    SPECIAL("special characters replaced"),
    /**
     * Line breaks, tabs and runs of spaces made one space, spacing at the ends dropped (NFKC's spacing too, such as
     * a no-break space made a space). Not a change of the text a user cares about: the tokenizer splits words on
     * any spacing alike and keeps none of it, so it sees the same tokens either way.
     */
    SPACING("re-spaced");

    private final String description;

    TextChange(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
