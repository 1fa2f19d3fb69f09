package dev.appliance.runtime.disk;

/** The kinds of file an image layer can hold, with their st_mode type bits. */
enum EntryType {
  DIRECTORY(0040000),
  REGULAR(0100000),
  SYMLINK(0120000),
  HARDLINK(0100000),
  CHAR_DEVICE(0020000),
  BLOCK_DEVICE(0060000),
  FIFO(0010000);

  final int modeBits;

  EntryType(int modeBits) {
    this.modeBits = modeBits;
  }
}
