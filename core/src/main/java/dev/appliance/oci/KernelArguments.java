package dev.appliance.oci;

import dev.appliance.common.InvalidInputException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for kernel arguments that come from an image: they configure the guest kernel and
 * nothing else. User-Mode Linux takes its host options (disks backed by host files, consoles on
 * host ports, its state directory, ...) from the same command line as the guest's arguments, and
 * matches them by prefix: any argument starting with one of {@link #UML_HOST_OPTIONS} would act on
 * the host, so it is refused. QEMU takes the whole line as one {@code -append} value; the shape
 * rule keeps it a plain list of {@code key} or {@code key=value} words that every engine splits the
 * same way (no quotes, no spaces inside a value).
 */
public final class KernelArguments {
  /** Linux's own limit on x86 is 2048 bytes; the engines add their own arguments. */
  public static final int MAX_LENGTH = 1024;

  private static final Pattern SHAPE =
      Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*(?:=[\\x21-\\x7e&&[^\"]]*)?");

  /**
   * Prefixes UML matches against each argument (its {@code __uml_setup} table in arch/um, and the
   * module parameters of its host-side drivers). {@code con} covers con=, conN= and consoleblank=;
   * {@code console=} alone is the guest's.
   */
  static final List<String> UML_HOST_OPTIONS =
      List.of(
          "ubd",
          "fake_ide",
          "con",
          "ssl",
          "xterm=",
          "stderr=",
          "mem=",
          "iomem=",
          "umid=",
          "uml_dir=",
          "hostfs=",
          "mconsole",
          "vec",
          "eth",
          "seccomp=",
          "time-travel",
          "initrd=",
          "ncpus=",
          "debug",
          "skas0",
          "mode=",
          "noprocmm",
          "nosysemu",
          "noptrace",
          "aio=",
          "dsp=",
          "mixer=",
          "jail",
          "honeypot",
          "version",
          "help",
          "virtio_uml.",
          "hostaudio.",
          "harddog.",
          "vector.",
          "um_pci.",
          "virt-pci.",
          "uml_");

  private static final String GUEST_CONSOLE = "console=";

  private KernelArguments() {}

  /**
   * Splits a kernel command line into its arguments, refusing anything that is not a plain guest
   * kernel argument.
   *
   * @param where names the command line in the error, e.g. "IMAGE: label
   *     dev.appliance.kernel-cmdline"
   * @throws InvalidInputException naming the argument and why it is refused
   */
  public static List<String> split(String cmdline, String where) {
    Optional<String> problem = problem(cmdline);
    if (problem.isPresent()) {
      throw new InvalidInputException(where + ": " + problem.get());
    }
    String stripped = cmdline.strip();
    return stripped.isEmpty() ? List.of() : List.of(stripped.split(" +"));
  }

  /** What is wrong with {@code cmdline}, if anything. */
  static Optional<String> problem(String cmdline) {
    if (cmdline.length() > MAX_LENGTH) {
      return Optional.of("is " + cmdline.length() + " characters long, more than " + MAX_LENGTH);
    }
    for (int i = 0; i < cmdline.length(); i++) {
      char c = cmdline.charAt(i);
      if (c != ' ' && (c < 0x21 || c > 0x7e)) {
        return Optional.of(
            String.format(
                "character U+%04X at offset %d: only printable ASCII"
                    + " separated by spaces is allowed",
                (int) c, i));
      }
    }
    for (String argument : cmdline.strip().split(" +")) {
      if (argument.isEmpty()) {
        continue;
      }
      if (!argument.startsWith(GUEST_CONSOLE)) {
        for (String option : UML_HOST_OPTIONS) {
          if (argument.startsWith(option)) {
            return Optional.of(
                "'"
                    + argument
                    + "' is a User-Mode Linux host option ("
                    + option
                    + "...): an image's kernel arguments may only configure its guest kernel");
          }
        }
      }
      if (!SHAPE.matcher(argument).matches()) {
        return Optional.of(
            "'"
                + argument
                + "' is not a plain kernel argument (key or key=value;"
                + " a key of letters, digits, '_', '.', '-'; no quotes)");
      }
    }
    return Optional.empty();
  }
}
