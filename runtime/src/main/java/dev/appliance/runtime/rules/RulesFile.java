package dev.appliance.runtime.rules;

import dev.appliance.common.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * One file of a rules bundle: its name in the bundle and its text, checked: an allowed name, UTF-8
 * without control characters other than tab, CR and LF (Suricata reads it line by line; a NUL would
 * cut a rule short).
 *
 * @param source where it came from, for messages
 */
public record RulesFile(String name, byte[] content, String source) {
  public RulesFile {
    if (!RulesBundleFormat.allowedName(name)) {
      throw new InvalidInputException(
          source
              + ": a rules bundle holds NAME.rules files (A-Z a-z 0-9 . _ -, at most 106"
              + " characters), classification.config and threshold.config only");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(content))
              .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(source + ": not UTF-8 text");
    }
    int line = 1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
      } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
        throw new InvalidInputException(
            source + ":" + line + ": control character 0x" + Integer.toHexString(c));
      }
    }
    content = content.clone();
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  public boolean isRules() {
    return name.endsWith(".rules");
  }

  /** Rules in the file: lines that are neither blank nor comments. */
  public int ruleCount() {
    if (!isRules()) {
      return 0;
    }
    int count = 0;
    for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
      String rule = line.strip();
      if (!rule.isEmpty() && !rule.startsWith("#")) {
        count++;
      }
    }
    return count;
  }
}
