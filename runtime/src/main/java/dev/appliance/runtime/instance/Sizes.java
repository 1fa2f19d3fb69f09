package dev.appliance.runtime.instance;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.MetadataRules;

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
        long n = m.group(1).length() > 12 ? Long.MAX_VALUE >> 11 : Long.parseLong(m.group(1)); // over the maximum either way
        long mib = m.group(2) != null && m.group(2).startsWith("g") ? n * 1024 : n;
        if (mib < MetadataRules.MEMORY_BYTES.min() >> 20) {
            throw new InvalidInputException("--memory " + value + ": an appliance needs at least "
                    + MetadataRules.human(MetadataRules.MEMORY_BYTES.min()));
        }
        if (mib > MetadataRules.MEMORY_BYTES.max() >> 20) {
            throw new InvalidInputException("--memory " + value + ": more than "
                    + MetadataRules.human(MetadataRules.MEMORY_BYTES.max()));
        }
        return mib;
    }
}
