package dev.appliance.runtime.disk;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * A tar reader that refuses oversized and endless extended headers (PAX, GNU long names) before
 * Commons Compress reads them into memory: it sees each 512-byte header record as it is read and
 * checks the size the record declares.
 */
final class HeaderBoundedTarStream extends TarArchiveInputStream {
  private static final int TYPE_FLAG = 156;
  private static final int SIZE = 124;
  private static final int SIZE_LENGTH = 12;

  private final String layerName;
  private int extendedHeaders;

  HeaderBoundedTarStream(InputStream in, String layerName) {
    super(
        in,
        StandardCharsets.ISO_8859_1
            .name()); // names stay bytes: LayerReader decodes them (FileNames)
    this.layerName = layerName;
  }

  /** Call before each {@link #getNextEntry()}: the header count is per entry. */
  void startEntry() {
    extendedHeaders = 0;
  }

  @Override
  protected byte[] readRecord() throws IOException {
    byte[] record = super.readRecord();
    if (record != null && extended(record[TYPE_FLAG]) && TarUtils.verifyCheckSum(record)) {
      long size = TarUtils.parseOctalOrBinary(record, SIZE, SIZE_LENGTH);
      if (size > LayerLimits.MAX_HEADER_BYTES) {
        throw new InvalidInputException(
            layerName
                + ": an extended tar header ('"
                + (char) record[TYPE_FLAG]
                + "') of "
                + size
                + " bytes is refused: at most "
                + LayerLimits.MAX_HEADER_BYTES
                + " bytes");
      }
      if (++extendedHeaders > LayerLimits.MAX_HEADERS_PER_ENTRY) {
        throw new InvalidInputException(
            layerName
                + ": more than "
                + LayerLimits.MAX_HEADERS_PER_ENTRY
                + " extended tar headers in a row are refused");
      }
    }
    return record;
  }

  private static boolean extended(byte type) {
    return type == TarConstants.LF_PAX_EXTENDED_HEADER_LC
        || type == TarConstants.LF_PAX_EXTENDED_HEADER_UC
        || type == TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER
        || type == TarConstants.LF_GNUTYPE_LONGNAME
        || type == TarConstants.LF_GNUTYPE_LONGLINK;
  }
}
