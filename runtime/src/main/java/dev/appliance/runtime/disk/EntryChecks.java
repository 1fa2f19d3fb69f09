package dev.appliance.runtime.disk;

import dev.appliance.common.FileNames;
import java.util.Set;

/**
 * The one place that decides whether text read from an image (entry names, link targets, xattr
 * names and values, library names from ELF files) may be used: it reaches debugfs scripts, host
 * paths and patchelf arguments, so control characters and lengths beyond what Linux allows are
 * refused here, where it is read. Non-ASCII names are fine: only C0 controls and DEL are refused.
 */
final class EntryChecks {
  /** NAME_MAX: one path component, in bytes. */
  static final int MAX_COMPONENT_BYTES = 255;

  /** PATH_MAX less the terminating NUL: a whole name or link target, in bytes. */
  static final int MAX_PATH_BYTES = 4095;

  /** XATTR_NAME_MAX. */
  static final int MAX_XATTR_NAME_BYTES = 255;

  /** XATTR_SIZE_MAX. */
  static final int MAX_XATTR_VALUE_BYTES = 64 * 1024;

  /** The xattr namespaces Linux has; an exact name where the namespace is a single attribute. */
  private static final Set<String> XATTR_PREFIXES = Set.of("user.", "trusted.", "security.");

  private static final Set<String> XATTR_NAMES =
      Set.of("system.posix_acl_access", "system.posix_acl_default");
  private static final int SHOWN_CHARS = 120;

  private EntryChecks() {}

  /**
   * A name or link target as the archive has it.
   *
   * @return null when acceptable, else why not
   */
  static String pathProblem(String path) {
    String control = controlProblem(path);
    if (control != null) {
      return control;
    }
    if (bytes(path) > MAX_PATH_BYTES) {
      return "longer than " + MAX_PATH_BYTES + " bytes";
    }
    for (String part : path.split("/")) {
      if (bytes(part) > MAX_COMPONENT_BYTES) {
        return "a component is longer than " + MAX_COMPONENT_BYTES + " bytes";
      }
    }
    return null;
  }

  /**
   * @return null when {@code name} may be set on a file in the guest's filesystem, else why not
   */
  static String xattrProblem(String name, byte[] value) {
    String control = controlProblem(name);
    if (control != null) {
      return "xattr name " + control;
    }
    if (bytes(name) > MAX_XATTR_NAME_BYTES) {
      return "xattr name longer than " + MAX_XATTR_NAME_BYTES + " bytes";
    }
    boolean known =
        XATTR_NAMES.contains(name)
            || XATTR_PREFIXES.stream()
                .anyMatch(p -> name.startsWith(p) && name.length() > p.length());
    if (!known) {
      return "xattr name outside the namespaces user., trusted., security., system.posix_acl_*";
    }
    if (value.length > MAX_XATTR_VALUE_BYTES) {
      return "xattr value longer than " + MAX_XATTR_VALUE_BYTES + " bytes";
    }
    return null;
  }

  /**
   * @return null when {@code name} is a plain file name (a library's soname), else why not
   */
  static String fileNameProblem(String name) {
    String problem = pathProblem(name);
    if (problem != null) {
      return problem;
    }
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
      return "not a plain file name";
    }
    return null;
  }

  /**
   * @return null when {@code path} is an absolute path with no "." or ".." component, else why not
   */
  static String absolutePathProblem(String path) {
    String problem = pathProblem(path);
    if (problem != null) {
      return problem;
    }
    if (!path.startsWith("/")) {
      return "not an absolute path";
    }
    for (String part : path.substring(1).split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        return "holds an empty, '.' or '..' component";
      }
    }
    return null;
  }

  private static String controlProblem(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return String.format("holds the control character 0x%02x", (int) c);
      }
    }
    return null;
  }

  /** Length as stored in the guest's filesystem (debugfs scripts are written in UTF-8). */
  static int bytes(String s) {
    return FileNames.encode(s).length; // names hold raw bytes as surrogate escapes
  }

  /**
   * {@code s} safe to print in a message: control characters as \xNN (C1 controls too, which some
   * terminals obey; they are valid in names), long text shortened.
   */
  static String printable(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    for (; i < s.length() && out.length() < SHOWN_CHARS; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        out.append(String.format("\\x%02x", (int) c));
      } else if (c >= 0x80 && c <= 0x9f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return i == s.length() ? out.toString() : out + "... (" + bytes(s) + " bytes)";
  }
}
