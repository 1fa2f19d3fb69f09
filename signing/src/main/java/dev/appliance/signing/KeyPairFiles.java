package dev.appliance.signing;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;

/**
 * The two files of a key pair, {@code PREFIX.key} (encrypted, mode 0600) and {@code PREFIX.pub}
 * (mode 0644), as {@code cosign generate-key-pair} names them.
 */
public record KeyPairFiles(Path privateKey, Path publicKey) {
  private static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC =
      PosixFilePermissions.fromString("rw-r--r--");

  public static KeyPairFiles forPrefix(Path prefix) {
    String name = prefix.getFileName() == null ? "" : prefix.getFileName().toString();
    if (name.isEmpty() || name.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidInputException(
          "invalid key prefix '"
              + prefix
              + "': it must end in a file name without control characters");
    }
    return new KeyPairFiles(
        prefix.resolveSibling(name + ".key"), prefix.resolveSibling(name + ".pub"));
  }

  /**
   * Generates a key pair and writes both files. Each file appears complete or not at all; without
   * {@code overwrite}, an existing file is an error and nothing is written.
   */
  public SigningKey generate(Passphrase passphrase, boolean overwrite, SecureRandom random) {
    if (!overwrite) {
      refuseExisting();
    }
    SigningKey key = SigningKey.generate(random);
    try {
      write(
          privateKey,
          PrivateKeys.toEncryptedPem(key.privateKey(), passphrase, random),
          PRIVATE,
          overwrite);
      write(publicKey, PublicKeys.toPem(key.publicKey()), PUBLIC, overwrite);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the key pair " + privateKey + ", " + publicKey + ": " + e.getMessage(), e);
    }
    return key;
  }

  /** Fails if either file exists: callers check before asking for a passphrase. */
  public void refuseExisting() {
    for (Path file : List.of(privateKey, publicKey)) {
      if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new InvalidInputException(file + " already exists", KeyRemedy.OTHER_NAME_OR_REPLACE);
      }
    }
  }

  /**
   * Writes through a temporary file created with its final mode (the key is never readable by
   * others, not even briefly), flushed before it is published.
   */
  private static void write(
      Path target, byte[] content, Set<PosixFilePermission> mode, boolean overwrite)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp =
        Files.createTempFile(
            dir,
            "." + target.getFileName() + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(mode));
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      if (overwrite) {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        publishIfAbsent(temp, target);
      }
      try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
        directory.force(true);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** A hard link fails if the name exists: no race can make us replace a file created meanwhile. */
  private static void publishIfAbsent(Path temp, Path target) throws IOException {
    try {
      Files.createLink(target, temp);
    } catch (FileAlreadyExistsException e) {
      throw new InvalidInputException(target + " already exists", KeyRemedy.OTHER_NAME_OR_REPLACE);
    }
  }
}
