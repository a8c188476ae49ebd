package io.finetune.preprocess.domain;

import org.jsoup.parser.Parser;

/**
 * Decodes HTML character references the way a browser does, with jsoup: every named entity of HTML5 (2,231 of them,
 * {@code &hellip;}, {@code &frac12;}, {@code &NotEqualTilde;}), numeric ones ({@code &#39;}, {@code &#x1F600;},
 * {@code &#150;} as the en dash Windows-1252 meant), NUL, surrogates and out-of-range numbers as U+FFFD. References
 * are read as in an attribute value, the stricter of HTML5's two rules: a name without its semicolon ({@code &copy})
 * is decoded only when no letter, digit or {@code =} follows, so {@code ?a=1&copy=2} and {@code AT&T} stay as
 * written, and so do unknown names ({@code &unknown;}).
 */
final class HtmlEntities {
    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        return Parser.unescapeEntities(text, true);
    }

    private HtmlEntities() {
    }
}
