package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.net.PortMapping;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A {@code -p} value as a {@link PortMapping}; a bad one is picocli's usage error (exit 2) naming the option. */
final class PortMappingConverter implements ITypeConverter<PortMapping> {
    @Override
    public PortMapping convert(String value) {
        try {
            return PortMapping.parse(value);
        } catch (InvalidInputException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
