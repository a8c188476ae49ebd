package io.finetune.preprocess.domain;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes HTML character references: numeric ones ({@code &#39;}, {@code &#x27;}) and the named entities that occur
 * in scraped text. Unknown names stay as written, so text that merely contains an ampersand is not damaged.
 */
final class HtmlEntities {
    private static final Pattern REFERENCE = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});");
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", "\u00A0"), Map.entry("ndash", "\u2013"),
            Map.entry("mdash", "\u2014"), Map.entry("lsquo", "\u2018"), Map.entry("rsquo", "\u2019"),
            Map.entry("ldquo", "\u201C"), Map.entry("rdquo", "\u201D"), Map.entry("hellip", "\u2026"),
            Map.entry("copy", "\u00A9"), Map.entry("reg", "\u00AE"), Map.entry("trade", "\u2122"),
            Map.entry("eacute", "\u00E9"), Map.entry("egrave", "\u00E8"), Map.entry("agrave", "\u00E0"),
            Map.entry("aacute", "\u00E1"), Map.entry("ccedil", "\u00E7"), Map.entry("ouml", "\u00F6"),
            Map.entry("uuml", "\u00FC"), Map.entry("auml", "\u00E4"), Map.entry("szlig", "\u00DF"),
            Map.entry("euro", "\u20AC"), Map.entry("pound", "\u00A3"), Map.entry("middot", "\u00B7"),
            Map.entry("laquo", "\u00AB"), Map.entry("raquo", "\u00BB"), Map.entry("deg", "\u00B0"));

    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(decode(matcher.group(1), matcher.group())));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static String decode(String reference, String original) {
        if (reference.charAt(0) != '#') {
            return NAMED.getOrDefault(reference, original);
        }
        boolean hex = reference.length() > 1 && (reference.charAt(1) == 'x' || reference.charAt(1) == 'X');
        int codePoint = Integer.parseInt(reference.substring(hex ? 2 : 1), hex ? 16 : 10);
        // NUL, surrogates and out-of-range values are not characters: drop them rather than produce invalid text.
        if (codePoint == 0 || codePoint > Character.MAX_CODE_POINT
                || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
            return " ";
        }
        return new String(Character.toChars(codePoint));
    }

    private HtmlEntities() {
    }
}
