package dev.appliance.runtime.disk;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Takes single files out of an image: kernels, initrds, the UML kernel and the glibc it runs with.
 * It reads the image's assembled root disk when one is cached (a few debugfs runs, well under a
 * second), else the layers themselves (one pass to merge them, then only the layers holding the
 * files). Whiteouts are honoured and symlinks are resolved inside the image root (an absolute link
 * starts at the image root, never at the host's). Results are cached per image digest and set of
 * paths under {@code <data>/cache/files}, built in a temporary directory and renamed into place.
 * Callers must treat the returned files as read-only (copy before patching).
 */
public final class ImageFiles {
  /** Where the loader looks for libraries in a Debian/Ubuntu x86-64 image, in order. */
  private static final List<String> LIBRARY_DIRS =
      List.of(
          "lib/x86_64-linux-gnu",
          "usr/lib/x86_64-linux-gnu",
          "lib64",
          "usr/lib64",
          "lib",
          "usr/lib");

  private static final String INDEX = "index.tsv";

  private final Path cacheDir;
  private final DiskAssembler disks;

  /** The last image scanned: callers often extract files and then a program from the same image. */
  private ImageLayers lastImage;

  private LayerFiles lastScan;

  /** Reads from an image's cached root disk when there is one, else from its layers. */
  public ImageFiles(ApplianceDirs dirs) {
    this(dirs.data().resolve("cache/files"), new DiskAssembler(dirs));
  }

  /** Always reads the layers. */
  public ImageFiles(Path cacheDir) {
    this(cacheDir, null);
  }

  /**
   * @param disks where to look for an assembled root disk to read instead of the layers; null for
   *     none
   */
  public ImageFiles(Path cacheDir, DiskAssembler disks) {
    this.cacheDir = cacheDir;
    this.disks = disks;
  }

  /**
   * Files taken out of an image.
   *
   * @param files requested image path to host file; paths not in the image (or not regular files)
   *     are absent
   */
  public record Extracted(Map<String, Path> files) {
    public Extracted {
      files = Map.copyOf(files);
    }
  }

  /**
   * A program with everything the dynamic loader needs to run it from the image's own glibc: point
   * its interpreter at {@code interpreter} and its run path at {@code libraryDir} (for example with
   * patchelf, on a copy).
   *
   * @param program the program file
   * @param interpreter the image's ELF loader, or null for a static program
   * @param libraryDir holds the DT_NEEDED closure under the names the loader asks for
   * @param libraries those names
   */
  public record Program(Path program, Path interpreter, Path libraryDir, List<String> libraries) {
    public Program {
      libraries = List.copyOf(libraries);
    }
  }

  /** Extracts the regular files at {@code paths} (absolute image paths; symlinks followed). */
  public Extracted extract(ImageLayers image, Collection<String> paths) {
    Set<String> wanted = new TreeSet<>(paths);
    Path dir =
        CacheEntry.get(
            entryDir(image, "files", wanted),
            (temp, work) -> {
              Files.createDirectory(temp);
              Map<String, String> found =
                  copy(source(image, work), new ArrayList<>(wanted), temp.resolve("root"));
              writeIndex(temp, found);
            });
    Map<String, Path> files = new TreeMap<>();
    readIndex(dir).forEach((path, relative) -> files.put(path, dir.resolve(relative)));
    return new Extracted(files);
  }

  /**
   * Extracts an ELF program with its interpreter and the libraries it needs, transitively, from the
   * image.
   *
   * @throws ApplianceException when the program or one of its libraries is not in the image
   */
  public Program extractProgram(ImageLayers image, String program) {
    Path dir =
        CacheEntry.get(
            entryDir(image, "program", Set.of(program)),
            (temp, work) -> {
              Files.createDirectory(temp);
              buildProgram(image, source(image, work), program, temp);
            });
    Map<String, String> index = readIndex(dir);
    List<String> libraries = new ArrayList<>();
    index.keySet().stream()
        .filter(k -> k.startsWith("lib:"))
        .forEach(k -> libraries.add(k.substring(4)));
    String interpreter = index.get("interpreter");
    return new Program(
        dir.resolve(index.get("program")),
        interpreter == null ? null : dir.resolve(interpreter),
        dir.resolve("lib"),
        libraries);
  }

  private static void buildProgram(ImageLayers image, FileSource source, String program, Path out)
      throws IOException {
    Map<String, String> result = new LinkedHashMap<>();
    Map<String, String> copied = copy(source, List.of(program), out.resolve("program"));
    if (!copied.containsKey(program)) {
      throw new ApplianceException(
          image.image() + ": " + program + " is not a regular file in the image");
    }
    result.put("program", copied.get(program));
    ElfFile elf = readElf(image, program, out.resolve(copied.get(program)));
    if (elf == null) {
      throw new ApplianceException(
          image.image() + ": " + program + " is not an x86-64 ELF program");
    }
    Path libDir = Files.createDirectory(out.resolve("lib"));
    // Each round copies the libraries the previous round's files asked for.
    Map<String, String> pending = new LinkedHashMap<>();
    if (elf.interpreter() != null) {
      String name = EntryPath.name(elf.interpreter());
      String real = source.regularFile(elf.interpreter());
      if (real == null) {
        throw new ApplianceException(
            image.image()
                + ": "
                + program
                + " needs the loader "
                + elf.interpreter()
                + ", which is not in the image");
      }
      pending.put(name, real);
      result.put("interpreter", "lib/" + name);
    }
    Set<String> done = new LinkedHashSet<>();
    queueNeeded(image, source, program, elf, pending, done);
    while (!pending.isEmpty()) {
      Map<String, String> round = new LinkedHashMap<>(pending);
      pending.clear();
      Map<String, Path> targets = new HashMap<>();
      Map<Path, Path> sameFile = new HashMap<>();
      round.forEach(
          (soname, path) -> {
            Path first = targets.putIfAbsent(path, libDir.resolve(soname));
            if (first != null) {
              sameFile.put(libDir.resolve(soname), first); // two sonames, one file
            }
          });
      source.copy(targets);
      for (Map.Entry<Path, Path> copy : sameFile.entrySet()) {
        Files.copy(copy.getValue(), copy.getKey());
      }
      for (Map.Entry<String, String> lib : round.entrySet()) {
        done.add(lib.getKey());
        result.put("lib:" + lib.getKey(), "lib/" + lib.getKey());
        ElfFile libElf = readElf(image, lib.getKey(), libDir.resolve(lib.getKey()));
        if (libElf != null) {
          queueNeeded(image, source, lib.getKey(), libElf, pending, done);
        }
      }
    }
    writeIndex(out, result);
  }

  /**
   * The assembled disk when there is one (a few debugfs runs), else the layers (scanned once per
   * instance).
   */
  private synchronized FileSource source(ImageLayers image, Path work) {
    Optional<Path> disk = disks == null ? Optional.empty() : disks.anyCached(image);
    if (disk.isPresent()) {
      return new DiskFiles(disk.get(), work);
    }
    if (!image.equals(lastImage)) {
      lastScan = LayerFiles.scan(image);
      lastImage = image;
    }
    return lastScan;
  }

  /**
   * Copies the regular files at {@code paths} to {@code root}/PATH (the requested path).
   *
   * @return requested path to the copy's path relative to root's parent, for those found
   */
  private static Map<String, String> copy(FileSource source, List<String> paths, Path root)
      throws IOException {
    Map<String, String> found = new TreeMap<>();
    Map<String, Path> targets = new HashMap<>();
    Map<Path, Path> sameFile = new HashMap<>();
    for (String path : paths) {
      String real = source.regularFile(path);
      if (real != null) {
        Path target = root.resolve(EntryPath.normalise(path.replaceFirst("^/+", "")));
        Files.createDirectories(target.getParent());
        Path first = targets.putIfAbsent(real, target);
        if (first != null) {
          sameFile.put(target, first);
        }
        found.put(path, root.getParent().relativize(target).toString());
      }
    }
    source.copy(targets);
    for (Map.Entry<Path, Path> copy : sameFile.entrySet()) {
      Files.copy(copy.getValue(), copy.getKey());
    }
    return found;
  }

  private static void queueNeeded(
      ImageLayers image,
      FileSource source,
      String file,
      ElfFile elf,
      Map<String, String> pending,
      Set<String> done) {
    for (String soname : elf.needed()) {
      if (done.contains(soname) || pending.containsKey(soname)) {
        continue;
      }
      String found = null;
      for (String dir : LIBRARY_DIRS) {
        found = source.regularFile(dir + "/" + soname);
        if (found != null) {
          break;
        }
      }
      if (found == null) {
        throw new ApplianceException(
            image.image() + ": library " + soname + " is not in the image");
      }
      pending.put(soname, found);
    }
  }

  /**
   * An ELF file from the image, null when it is not one. Offsets in a malformed one point anywhere,
   * and the names it asks for become host paths and patchelf arguments: all are checked before any
   * is used.
   */
  private static ElfFile readElf(ImageLayers image, String name, Path file) throws IOException {
    ElfFile elf;
    try {
      elf = ElfFile.read(file);
    } catch (IndexOutOfBoundsException e) {
      throw new InvalidInputException(
          image.image()
              + " ("
              + image.digest()
              + "): "
              + name
              + " is a malformed ELF file: "
              + e.getMessage());
    }
    if (elf != null && elf.interpreter() != null) {
      checkElfName(
          image,
          name,
          "loader",
          elf.interpreter(),
          EntryChecks.absolutePathProblem(elf.interpreter()));
    }
    for (String soname : elf == null ? List.<String>of() : elf.needed()) {
      checkElfName(image, name, "library", soname, EntryChecks.fileNameProblem(soname));
    }
    return elf;
  }

  private static void checkElfName(
      ImageLayers image, String file, String what, String name, String problem) {
    if (problem != null) {
      throw new InvalidInputException(
          image.image()
              + " ("
              + image.digest()
              + "): "
              + file
              + " asks for the "
              + what
              + " '"
              + EntryChecks.printable(name)
              + "', refused: "
              + problem);
    }
  }

  private Path entryDir(ImageLayers image, String kind, Set<String> paths) {
    String key =
        Digest.sha256(String.join("\n", paths).getBytes(StandardCharsets.UTF_8))
            .hex()
            .substring(0, 16);
    return cacheDir.resolve(image.cacheKey()).resolve(kind + "-" + key);
  }

  private static void writeIndex(Path dir, Map<String, String> entries) throws IOException {
    StringBuilder text = new StringBuilder();
    entries.forEach((k, v) -> text.append(k).append('\t').append(v).append('\n'));
    Files.writeString(dir.resolve(INDEX), text);
  }

  private static Map<String, String> readIndex(Path dir) {
    try {
      Map<String, String> entries = new LinkedHashMap<>();
      for (String line : Files.readAllLines(dir.resolve(INDEX))) {
        int tab = line.indexOf('\t');
        entries.put(line.substring(0, tab), line.substring(tab + 1));
      }
      return entries;
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot read the extracted-files cache " + dir + ": " + e.getMessage(), e);
    }
  }
}
