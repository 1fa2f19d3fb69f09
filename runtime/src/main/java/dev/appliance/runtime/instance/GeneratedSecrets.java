package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Secrets that {@code run} generates because the image marks them {@code generate} and the user
 * gave none (the IDS appliance's operator token): random values that reach the guest through the
 * config disk like given ones, and are kept in the instance directory ({@code secrets/NAME}, 0600
 * in a 0700 directory) so the user can read them back with {@code appliance secret}, never from a
 * log or a command line.
 */
final class GeneratedSecrets {
  /** 192 random bits, written as 32 base64url characters: safe in a header, a shell or a file. */
  private static final int RANDOM_BYTES = 24;

  /** The recipe language's parameter names: the name is a file name here. */
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private final Path dir;

  GeneratedSecrets(Path instanceDir) {
    this.dir = instanceDir.resolve("secrets");
  }

  /**
   * Generates a value for every secret the image marks {@code generate} that is not in {@code
   * given}, keeps the generated ones, and returns all secrets for the config disk.
   */
  Map<String, byte[]> completeAndKeep(
      ApplianceMetadata meta, Map<String, byte[]> given, SecureRandom random) {
    Map<String, byte[]> all = new LinkedHashMap<>(given);
    for (ApplianceMetadata.Param p : meta.params()) {
      if (p.secret() && p.generate() && !given.containsKey(p.name())) {
        byte[] value = generate(random);
        keep(checkedName(p.name(), "the image's parameter"), value);
        all.put(p.name(), value);
      }
    }
    return all;
  }

  /** The progress line for a secret generated for {@code instance}: where to read it back. */
  static String notice(String instance, String secret) {
    return "generated the secret "
        + secret
        + "; `appliance secret "
        + instance
        + " "
        + secret
        + "` shows it";
  }

  /**
   * The value {@code run} generated for {@code name}.
   *
   * @throws InvalidInputException when it generated none (the user gave it, or the image does not
   *     declare it)
   */
  byte[] read(String instance, String name) {
    Path file = dir.resolve(checkedName(name, "secret"));
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(file.toString());
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(
          "instance "
              + instance
              + " has no generated secret "
              + name
              + ": appliance keeps only the secrets it generated (those the image marks generate"
              + " and the run did not give); a secret given to the run is known only to whoever gave it");
    } catch (IOException e) {
      throw new ApplianceException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static byte[] generate(SecureRandom random) {
    byte[] bits = new byte[RANDOM_BYTES];
    random.nextBytes(bits);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(bits)
        .getBytes(StandardCharsets.US_ASCII);
  }

  private void keep(String name, byte[] value) {
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path file = dir.resolve(name);
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, value);
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot keep the generated secret " + name + " in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String checkedName(String name, String what) {
    if (!NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          what
              + " name '"
              + name.replaceAll("\\p{Cntrl}", "?")
              + "': expected lowercase letters, digits and '_', starting with a letter, at most 64 characters");
    }
    return name;
  }
}
