package dev.appliance.runtime.rules;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The files of one rules bundle, gathered from directories and files and checked ({@link
 * RulesBundleFormat}): at least one .rules file, no name twice, within the limits. Its tar is
 * reproducible (sorted, owner 0, mode 0644, time 0), so the same files give the same digest.
 */
public record RulesBundle(List<RulesFile> files) {
  public RulesBundle {
    TreeMap<String, RulesFile> byName = new TreeMap<>();
    long total = 0;
    for (RulesFile file : files) {
      RulesFile earlier = byName.put(file.name(), file);
      if (earlier != null) {
        throw new InvalidInputException(
            file.source()
                + ": "
                + file.name()
                + " is already in the bundle, from "
                + earlier.source());
      }
      total += file.content().length;
    }
    if (byName.values().stream().noneMatch(RulesFile::isRules)) {
      throw new InvalidInputException("a rules bundle needs at least one NAME.rules file");
    }
    if (byName.size() > RulesBundleFormat.MAX_FILES) {
      throw new InvalidInputException(
          "a rules bundle holds at most "
              + RulesBundleFormat.MAX_FILES
              + " files, not "
              + byName.size());
    }
    if (total > RulesBundleFormat.MAX_TOTAL_BYTES) {
      throw new InvalidInputException(
          "a rules bundle holds at most 64 MiB of files, not " + total + " bytes");
    }
    files = List.copyOf(byName.values());
  }

  /**
   * Reads {@code paths}: a file is taken under its own name; a directory gives its .rules files and
   * its classification.config and threshold.config (other files and subdirectories are not part of
   * a bundle). Symbolic links are refused: a bundle says exactly what it holds.
   */
  public static RulesBundle read(List<Path> paths) {
    List<RulesFile> files = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        try (Stream<Path> children = Files.list(path)) {
          for (Path child : children.sorted(Comparator.comparing(Path::toString)).toList()) {
            if (RulesBundleFormat.allowedName(child.getFileName().toString())) {
              files.add(readFile(child));
            }
          }
        } catch (IOException e) {
          throw new InvalidInputException("cannot list " + path + ": " + e.getMessage());
        }
      } else {
        files.add(readFile(path));
      }
    }
    return new RulesBundle(files);
  }

  private static RulesFile readFile(Path path) {
    if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidInputException(
          path + ": not a regular file (a rules bundle takes files and directories, no links)");
    }
    try {
      if (Files.size(path) > RulesBundleFormat.MAX_TOTAL_BYTES) {
        throw new InvalidInputException(path + ": larger than a rules bundle may be (64 MiB)");
      }
      return new RulesFile(
          path.getFileName().toString(), Files.readAllBytes(path), path.toString());
    } catch (IOException e) {
      throw new InvalidInputException("cannot read " + path + ": " + e.getMessage());
    }
  }

  public int ruleCount() {
    return files.stream().mapToInt(RulesFile::ruleCount).sum();
  }

  /** The bundle's layer: a plain tar, reproducible. */
  public byte[] tar() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (RulesFile file : files) {
        byte[] content = file.content();
        TarArchiveEntry entry = new TarArchiveEntry(file.name());
        entry.setSize(content.length);
        entry.setMode(0100644);
        entry.setModTime(0);
        entry.setIds(0, 0);
        entry.setNames("root", "root");
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
      tar.finish();
    } catch (IOException e) {
      throw new ApplianceException("cannot write the rules bundle's tar: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }
}
