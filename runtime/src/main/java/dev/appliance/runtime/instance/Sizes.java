package dev.appliance.runtime.instance;

import dev.appliance.common.InvalidInputException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --memory} values: a whole number with an optional binary suffix, M (default) or G. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([mg]i?b?)?");

    private Sizes() {}

    static long mebibytes(String value) {
        Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new InvalidInputException("--memory " + value + ": expected e.g. 512M or 2G");
        }
        long n = Long.parseLong(m.group(1));
        long mib = m.group(2) != null && m.group(2).startsWith("g") ? n * 1024 : n;
        if (mib < 64) {
            throw new InvalidInputException("--memory " + value + ": an appliance needs at least 64M");
        }
        return mib;
    }
}
