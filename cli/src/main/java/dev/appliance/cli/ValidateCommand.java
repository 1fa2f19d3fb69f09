package dev.appliance.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.appliance.recipe.Recipe;
import dev.appliance.recipe.RecipeParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code appliance validate RECIPE}: checks a recipe and the recipes it extends, without building. */
@Command(name = "validate",
        description = "Check a recipe (and the recipes it extends) without building it; print a summary.")
final class ValidateCommand extends BaseCommand {
    @Mixin
    OutputOptions output;

    @Parameters(paramLabel = "RECIPE", description = "The recipe file, e.g. recipes/lamp/lamp.yaml.")
    Path recipe;

    @Override
    public Integer call() throws JsonProcessingException {
        Recipe r = new RecipeParser().parse(recipe);
        if (output.json) {
            out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(summary(r)));
        } else {
            printSummary(r);
        }
        return 0;
    }

    private void printSummary(Recipe r) {
        Recipe.Base base = r.base();
        Recipe.Resources res = r.resources();
        out().printf("%s %s: valid%n", r.name(), r.version());
        row("recipes", r.chain().stream().map(link -> shown(link.source())).collect(Collectors.joining(" -> ")));
        row("base", base.distribution() + " " + base.suite() + " " + base.variant() + " " + base.components()
                + ", mirror " + (base.mirror() == null ? "from the host's apt sources" : base.mirror()));
        row("packages", counted(r, Recipe::packages));
        row("files", counted(r, Recipe::files));
        row("run steps", counted(r, Recipe::run));
        row("ports", r.ports().isEmpty() ? "none" : r.ports().stream()
                .map(p -> p.name() + " " + p.port() + "/" + p.protocol()).collect(Collectors.joining(", ")));
        Recipe.HealthCheck h = r.health();
        row("health", h == null ? "none"
                : h.type().equals("http")
                        ? "http GET :" + h.port() + h.path() + " -> " + h.status() + ", timeout " + h.timeoutSeconds() + "s"
                        : "tcp connect :" + h.port() + ", timeout " + h.timeoutSeconds() + "s");
        row("resources", mebibytes(res.memoryMiB()) + " memory, " + res.cpus() + " cpu" + (res.cpus() == 1 ? "" : "s")
                + ", " + mebibytes(res.diskBytes() >> 20) + " disk");
        row("kernels", "qemu " + r.kernels().qemu() + ", uml " + r.kernels().uml() + " (" + r.kernels().umlSuite() + ")");
        row("params", r.params().isEmpty() ? "none" : r.params().stream()
                .map(p -> p.name() + (p.secret() ? " (secret)" : p.defaultValue() == null ? " (required)" : ""))
                .collect(Collectors.joining(", ")));
    }

    private static String mebibytes(long mib) {
        return mib % 1024 == 0 ? (mib / 1024) + " GiB" : mib + " MiB";
    }

    private void row(String label, String value) {
        out().printf("  %-10s %s%n", label, value);
    }

    /** "9 (5 in this recipe)": layered parts add up along the chain. */
    private static String counted(Recipe r, Function<Recipe, List<?>> part) {
        int own = part.apply(r).size();
        int all = r.chain().stream().mapToInt(link -> part.apply(link).size()).sum();
        return all == own ? Integer.toString(all) : all + " (" + own + " in this recipe)";
    }

    private static Map<String, Object> summary(Recipe r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("valid", true);
        json.put("name", r.name());
        json.put("version", r.version());
        json.put("description", r.description());
        json.put("chain", r.chain().stream().map(link -> link.source().toString()).toList());
        json.put("base", r.base());
        json.put("packages", all(r, Recipe::packages));
        json.put("files", r.chain().stream().flatMap(link -> link.files().stream()).map(f -> ordered(
                "source", f.source().toString(), "dest", f.dest(), "mode", String.format("%04o", f.mode()),
                "owner", f.owner(), "group", f.group())).toList());
        json.put("runSteps", all(r, Recipe::run).size());
        json.put("services", ordered(
                "enable", all(r, link -> link.services().enable()),
                "disable", all(r, link -> link.services().disable())));
        json.put("users", all(r, Recipe::users));
        json.put("groups", all(r, Recipe::groups));
        json.put("ports", r.ports());
        json.put("health", r.health());
        json.put("resources", r.resources());
        json.put("kernels", r.kernels());
        json.put("params", r.params());
        return json;
    }

    /** A map keeping its keys in the order given, so the JSON is stable. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static <T> List<T> all(Recipe r, Function<Recipe, List<T>> part) {
        return r.chain().stream().flatMap(link -> part.apply(link).stream()).toList();
    }

    /** Relative to the working directory when below it: shorter, and what the user typed. */
    private static String shown(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        return file.startsWith(cwd) ? cwd.relativize(file).toString() : file.toString();
    }
}
