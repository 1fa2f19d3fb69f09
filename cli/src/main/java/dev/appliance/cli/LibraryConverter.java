package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An option value parsed by the library's own parser into its value type; the library's message
 * becomes picocli's usage error (exit 2), which names the option.
 */
abstract class LibraryConverter<T> implements ITypeConverter<T> {
  private final Function<String, T> parser;

  LibraryConverter(Function<String, T> parser) {
    this.parser = parser;
  }

  @Override
  public final T convert(String value) {
    try {
      return parser.apply(value);
    } catch (InvalidInputException e) {
      throw new TypeConversionException(RemedyText.message(e.getMessage(), e.remedy()));
    }
  }
}
