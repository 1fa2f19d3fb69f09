package dev.appliance.signing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-toto v1 Statement: which artifacts (by digest) a predicate is about, and the predicate.
 *
 * @param subjectDigests the subjects' sha256 digests
 * @param predicateType the predicate's type URI
 * @param predicate the predicate document
 */
public record InTotoStatement(
    List<Digest> subjectDigests, String predicateType, JsonNode predicate) {
  public static final String TYPE = "https://in-toto.io/Statement/v1";

  /** The payload type of an in-toto statement in a DSSE envelope. */
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  /** cosign wrote v0.1 statements before v1; both are read. */
  private static final String TYPE_V01 = "https://in-toto.io/Statement/v0.1";

  private static final int MAX_SUBJECTS = 64;
  private static final ObjectMapper JSON = new ObjectMapper();

  public InTotoStatement {
    subjectDigests = List.copyOf(subjectDigests);
  }

  /** The statement about one image: {@code name} is its repository, as cosign names subjects. */
  public static byte[] about(String name, Digest image, String predicateType, JsonNode predicate) {
    ObjectNode root = JSON.createObjectNode();
    root.put("_type", TYPE);
    ObjectNode subject = root.putArray("subject").addObject();
    subject.put("name", name);
    subject.putObject("digest").put(image.algorithm(), image.hex());
    root.put("predicateType", predicateType);
    root.set("predicate", predicate);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses an untrusted statement (after its signature verified or to report on it). */
  public static InTotoStatement parse(byte[] json, String where) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new InvalidInputException(where + ": the statement is not JSON");
    }
    if (root == null
        || !(TYPE.equals(root.path("_type").asText())
            || TYPE_V01.equals(root.path("_type").asText()))
        || !root.path("predicateType").isTextual()) {
      throw new InvalidInputException(where + ": not an in-toto statement");
    }
    List<Digest> subjects = new ArrayList<>();
    for (JsonNode subject : root.path("subject")) {
      if (subjects.size() >= MAX_SUBJECTS) {
        break;
      }
      JsonNode sha256 = subject.path("digest").path("sha256");
      if (sha256.isTextual()) {
        try {
          subjects.add(Digest.parse("sha256:" + sha256.asText()));
        } catch (RuntimeException e) {
          throw new InvalidInputException(where + ": a subject digest is malformed");
        }
      }
    }
    return new InTotoStatement(
        subjects, root.path("predicateType").asText(), root.path("predicate"));
  }
}
