package dev.appliance.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * --json output: one JSON document per result, written from the command's records (fields in
 * component order) by the one ObjectMapper of the CLI.
 */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** Compact, one line: what every command but validate prints. */
  static String write(Object value) {
    return write(MAPPER.writer(), value);
  }

  /** Indented, for a document meant to be read as well as parsed (validate's summary). */
  static String writeIndented(Object value) {
    return write(MAPPER.writerWithDefaultPrettyPrinter(), value);
  }

  private static String write(ObjectWriter writer, Object value) {
    try {
      return writer.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
