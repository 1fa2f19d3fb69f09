package dev.appliance.cli;

import dev.appliance.runtime.capture.CaptureSource;

/** A {@code --capture-from pcap:FILE[,rate=...]|iface:NAME} value, checked. */
final class CaptureSourceConverter extends LibraryConverter<CaptureSource> {
  CaptureSourceConverter() {
    super(CaptureSource::parse);
  }
}
