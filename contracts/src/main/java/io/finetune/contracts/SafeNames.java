package io.finetune.contracts;

import java.util.regex.Pattern;

/** Names that become file names or keys: letters, digits, '.', '_' and '-', never a path. */
public final class SafeNames {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public static boolean isSafe(String name) {
        return name != null && SAFE.matcher(name).matches() && !name.contains("..");
    }

    public static String check(String name, String what) {
        if (!isSafe(name)) {
            throw new IllegalArgumentException(what + " '" + name + "' must be 1-128 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        return name;
    }

    private SafeNames() {
    }
}
