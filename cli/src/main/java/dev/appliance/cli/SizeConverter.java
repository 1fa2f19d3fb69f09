package dev.appliance.cli;

import dev.appliance.oci.MetadataRules;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A size option in the recipe's syntax (512M, 2G, 1T) as bytes; picocli reports a bad one as a
 * usage error (exit 2).
 */
final class SizeConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return MetadataRules.parseSize(value);
    } catch (MetadataRules.BadSize e) {
      throw new TypeConversionException(e.getMessage() + "; " + e.hint());
    }
  }
}
