package dev.appliance.common;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A text file (a tool's script) whose file names must reach the tool as their bytes: text is
 * encoded with {@link FileNames#encode}, so an escaped byte of a name that is not valid UTF-8 is
 * written as that byte. Write whole strings: a surrogate pair split across two writes would not be
 * recognised.
 */
public final class FileNameWriter extends Writer {
  private final OutputStream out;

  public FileNameWriter(Path file) throws IOException {
    this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
  }

  @Override
  public void write(String text) throws IOException {
    out.write(FileNames.encode(text));
  }

  @Override
  public void write(char[] chars, int off, int len) throws IOException {
    write(new String(chars, off, len));
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
