package dev.appliance.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;

/**
 * Remembers where the last key was read. Jackson reports an unknown key after it has moved on to
 * the key's value, which in block YAML may sit lines further down; the message should point at the
 * key itself.
 */
final class TrackingYamlParser extends JsonParserDelegate {
  private final YAMLParser yaml;
  private JsonLocation lastKey;

  TrackingYamlParser(YAMLParser yaml) {
    super(yaml);
    this.yaml = yaml;
  }

  /** Where the most recent key starts, or null before the first key. */
  JsonLocation lastKeyLocation() {
    return lastKey;
  }

  /** True when the current token is an alias ({@code *name}), which Jackson does not expand. */
  boolean isCurrentAlias() {
    return yaml.isCurrentAlias();
  }

  @Override
  public JsonToken nextToken() throws IOException {
    return track(super.nextToken());
  }

  @Override
  public String nextFieldName() throws IOException {
    String name = super.nextFieldName();
    track(currentToken());
    return name;
  }

  @Override
  public boolean nextFieldName(SerializableString expected) throws IOException {
    boolean matches = super.nextFieldName(expected);
    track(currentToken());
    return matches;
  }

  private JsonToken track(JsonToken token) {
    if (token == JsonToken.FIELD_NAME) {
      lastKey = currentTokenLocation();
    }
    return token;
  }

  static TrackingYamlParser of(JsonParser p) {
    return p instanceof TrackingYamlParser tracking ? tracking : null;
  }
}
