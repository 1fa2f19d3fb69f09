package dev.appliance.cli;

import dev.appliance.runtime.net.PortMapping;

/** A {@code -p} value as a {@link PortMapping}. */
final class PortMappingConverter extends LibraryConverter<PortMapping> {
  PortMappingConverter() {
    super(PortMapping::parse);
  }
}
