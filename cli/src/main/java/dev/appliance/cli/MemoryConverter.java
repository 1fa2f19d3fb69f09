package dev.appliance.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code --memory} value in MiB: a whole number with an optional binary suffix, M or G ({@code
 * 512M}, {@code 2G}, {@code 2GiB}). A bare number means MiB, as it always has for this option
 * (unlike the recipe's sizes, which need a unit). The range is the run request's to check.
 */
final class MemoryConverter implements ITypeConverter<Long> {
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*([mg]i?b?)?");

  @Override
  public Long convert(String value) {
    Matcher m = SIZE.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException(
          "'"
              + value
              + "' is not a memory size: expected e.g. 512M or 2G"
              + " (a bare number is MiB)");
    }
    long n = Long.parseLong(m.group(1));
    return m.group(2) != null && m.group(2).startsWith("g") ? n * 1024 : n;
  }
}
