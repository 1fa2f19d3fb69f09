package dev.appliance.cli;

import dev.appliance.runtime.export.ExportFormat;

/** A {@code --format} value as an {@link ExportFormat}. */
final class ExportFormatConverter extends LibraryConverter<ExportFormat> {
  ExportFormatConverter() {
    super(ExportFormat::parse);
  }
}
