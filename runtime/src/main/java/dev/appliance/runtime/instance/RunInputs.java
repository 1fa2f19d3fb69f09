package dev.appliance.runtime.instance;

import dev.appliance.common.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses {@code --param k=v} and {@code --secret k=@FILE|k=-} values. */
public final class RunInputs {
    /** A secret larger than this is a mistake (a wrong file), not a password or key. */
    private static final int MAX_SECRET_BYTES = 1 << 20;

    private RunInputs() {}

    public static Map<String, String> params(List<String> values) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String value : values) {
            int eq = value.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException("--param " + value + ": expected NAME=VALUE");
            }
            if (params.put(value.substring(0, eq), value.substring(eq + 1)) != null) {
                throw new InvalidInputException("--param " + value.substring(0, eq) + " is given twice");
            }
        }
        return params;
    }

    /**
     * Reads secrets: {@code NAME=@FILE} from a file, {@code NAME=-} from standard
     * input (one secret at most). A value on the command line is refused: every
     * user of the host could read it.
     */
    public static Map<String, byte[]> secrets(List<String> values, InputStream stdin) {
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        boolean stdinUsed = false;
        for (String value : values) {
            int eq = value.indexOf('=');
            String name = eq <= 0 ? "" : value.substring(0, eq);
            String source = eq <= 0 ? "" : value.substring(eq + 1);
            if (name.isEmpty() || !(source.equals("-") || source.startsWith("@"))) {
                throw new InvalidInputException("--secret " + (name.isEmpty() ? value : name + "=...")
                        + ": expected NAME=@FILE or NAME=- (standard input); a value on the command line would be"
                        + " visible to every user of this host");
            }
            if (secrets.containsKey(name)) {
                throw new InvalidInputException("--secret " + name + " is given twice");
            }
            try {
                byte[] content;
                if (source.equals("-")) {
                    if (stdinUsed) {
                        throw new InvalidInputException("--secret " + name + "=-: standard input is already used by another secret");
                    }
                    stdinUsed = true;
                    content = stdin.readNBytes(MAX_SECRET_BYTES + 1);
                } else {
                    Path file = Path.of(source.substring(1));
                    if (!Files.isRegularFile(file)) {
                        throw new InvalidInputException("--secret " + name + "=@" + file + ": no such file");
                    }
                    content = Files.readAllBytes(file);
                }
                if (content.length > MAX_SECRET_BYTES) {
                    throw new InvalidInputException("--secret " + name + ": larger than 1 MiB");
                }
                secrets.put(name, stripNewline(content));
            } catch (IOException e) {
                throw new InvalidInputException("--secret " + name + ": cannot read it: " + e.getMessage(), e);
            }
        }
        return secrets;
    }

    /** `echo pw | appliance run --secret k=-` and files from editors end with a newline nobody means. */
    private static byte[] stripNewline(byte[] content) {
        int end = content.length;
        if (end > 0 && content[end - 1] == '\n') {
            end--;
            if (end > 0 && content[end - 1] == '\r') {
                end--;
            }
        }
        return java.util.Arrays.copyOf(content, end);
    }
}
