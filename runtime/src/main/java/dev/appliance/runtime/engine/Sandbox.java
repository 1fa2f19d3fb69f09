package dev.appliance.runtime.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns a command into one that runs confined to what a {@link Confinement} allows. */
public interface Sandbox {
    /** No confinement: the command runs with the user's whole view of the host ({@code --no-sandbox}). */
    Sandbox NONE = new Sandbox() {
        @Override
        public List<String> wrap(List<String> command, Path workDir, Map<String, String> env, Confinement confinement) {
            return new ArrayList<>(command);
        }

        @Override
        public boolean confines() {
            return false;
        }
    };

    /**
     * @param workDir the command's working directory (inside the sandbox too)
     * @param env     the whole environment the command gets
     * @return the command line to start instead of {@code command}
     */
    List<String> wrap(List<String> command, Path workDir, Map<String, String> env, Confinement confinement);

    /** False only for {@link #NONE}. */
    default boolean confines() {
        return true;
    }
}
