package dev.appliance.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * The Jackson parts that make recipe binding strict and its errors readable: unknown keys (with a
 * suggestion), a list or mapping where something else is expected, YAML aliases, and the positions
 * of mappings and scalars.
 */
final class StrictBinding {
  private StrictBinding() {}

  static SimpleModule module() {
    SimpleModule module = new SimpleModule("appliance-recipe");
    module.addDeserializer(Scalar.class, new ScalarDeserializer());
    module.setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public JsonDeserializer<?> modifyDeserializer(
              DeserializationConfig config,
              BeanDescription beanDesc,
              JsonDeserializer<?> deserializer) {
            return Located.class.isAssignableFrom(beanDesc.getBeanClass())
                ? new LocatingDeserializer(deserializer)
                : deserializer;
          }
        });
    return module;
  }

  static DeserializationProblemHandler problemHandler() {
    return new ProblemHandler();
  }

  /** Reads any scalar as a {@link Scalar}; a list, a mapping or an alias is an error. */
  private static final class ScalarDeserializer extends StdDeserializer<Scalar> {
    ScalarDeserializer() {
      super(Scalar.class);
    }

    @Override
    public Scalar deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      rejectAlias(p);
      JsonLocation at = p.currentTokenLocation();
      JsonToken token = p.currentToken();
      return switch (token) {
        case VALUE_STRING -> new Scalar(p.getText(), Scalar.Kind.TEXT, null, at);
        case VALUE_NUMBER_INT -> new Scalar(p.getText(), Scalar.Kind.INTEGER, fittingLong(p), at);
        case VALUE_NUMBER_FLOAT -> new Scalar(p.getText(), Scalar.Kind.FLOAT, null, at);
        case VALUE_TRUE, VALUE_FALSE -> new Scalar(p.getText(), Scalar.Kind.BOOLEAN, null, at);
        default ->
            throw new RecipeProblem(
                at, "expected a single value, found " + describe(token, p), null);
      };
    }

    private static Long fittingLong(JsonParser p) throws IOException {
      JsonParser.NumberType type = p.getNumberType();
      return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG
          ? p.getLongValue()
          : null;
    }
  }

  /** Records where each {@link Located} mapping starts. */
  private static final class LocatingDeserializer extends DelegatingDeserializer {
    LocatingDeserializer(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
      return new LocatingDeserializer(newDelegatee);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonLocation at = p.currentTokenLocation();
      Object value = super.deserialize(p, ctxt);
      if (value instanceof Located located) {
        located.at = at;
      }
      return value;
    }
  }

  private static final class ProblemHandler extends DeserializationProblemHandler {
    @Override
    public boolean handleUnknownProperty(
        DeserializationContext ctxt,
        JsonParser p,
        JsonDeserializer<?> deserializer,
        Object beanOrClass,
        String propertyName)
        throws IOException {
      TrackingYamlParser tracking = TrackingYamlParser.of(p);
      JsonLocation at =
          tracking != null && tracking.lastKeyLocation() != null
              ? tracking.lastKeyLocation()
              : p.currentTokenLocation();
      List<String> known =
          deserializer.getKnownPropertyNames().stream().map(String::valueOf).sorted().toList();
      String suggestion = Suggestions.closest(propertyName, known);
      String hint =
          suggestion != null
              ? "did you mean '" + suggestion + "'?"
              : "known keys here: " + String.join(", ", known);
      throw new RecipeProblem(at, "unknown key '" + propertyName + "'", hint);
    }

    @Override
    public Object handleUnexpectedToken(
        DeserializationContext ctxt,
        JavaType targetType,
        JsonToken t,
        JsonParser p,
        String failureMsg)
        throws IOException {
      throw wrongShape(p, kindOf(targetType.getRawClass(), targetType.isCollectionLikeType()));
    }

    @Override
    public Object handleMissingInstantiator(
        DeserializationContext ctxt,
        Class<?> instClass,
        ValueInstantiator valueInsts,
        JsonParser p,
        String msg)
        throws IOException {
      throw wrongShape(p, kindOf(instClass, Collection.class.isAssignableFrom(instClass)));
    }

    private static String kindOf(Class<?> type, boolean collection) {
      if (collection) {
        return "a list";
      }
      return Located.class.isAssignableFrom(type) ? "a mapping (key: value lines)" : "a value";
    }

    private static RecipeProblem wrongShape(JsonParser p, String expected) throws IOException {
      rejectAlias(p);
      return new RecipeProblem(
          p.currentTokenLocation(),
          "expected " + expected + ", found " + describe(p.currentToken(), p),
          expected.equals("a list") && p.currentToken().isScalarValue()
              ? "write a list item per line, each starting with '- ', or [a, b]"
              : null);
    }
  }

  private static void rejectAlias(JsonParser p) throws IOException {
    TrackingYamlParser tracking = TrackingYamlParser.of(p);
    if (tracking != null && tracking.isCurrentAlias()) {
      throw new RecipeProblem(
          p.currentTokenLocation(),
          "YAML aliases (*" + tracking.getText() + ") are not supported",
          "write the value out, or share common parts through 'extends:'");
    }
  }

  private static String describe(JsonToken token, JsonParser p) throws IOException {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_ARRAY -> "a list";
      case START_OBJECT -> "a mapping";
      case VALUE_STRING -> "the text '" + abbreviate(p.getText()) + "'";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + abbreviate(p.getText());
      case VALUE_TRUE, VALUE_FALSE -> "the boolean " + p.getText();
      case VALUE_NULL -> "an empty value";
      default -> token.asString() == null ? token.name() : "'" + token.asString() + "'";
    };
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
