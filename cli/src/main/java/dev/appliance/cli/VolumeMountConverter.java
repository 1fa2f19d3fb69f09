package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.instance.VolumeMount;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A {@code --volume NAME:/GUEST/PATH} value; a bad one is picocli's usage error (exit 2) naming the option. */
final class VolumeMountConverter implements ITypeConverter<VolumeMount> {
    @Override
    public VolumeMount convert(String value) {
        try {
            return VolumeMount.parse(value);
        } catch (InvalidInputException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
