package arm.method;

import arm.data.ContinualData;
import arm.run.Defaults;
import java.util.List;
import java.util.Map;

/**
 * A continual-learning method as the registry knows it ({@link Methods}): its name, where its row
 * goes in the table, its options with their published defaults and meanings, how to build it, and
 * what it stores beyond the network. Providers are found with {@link java.util.ServiceLoader}: each
 * is named in a {@code META-INF/services/arm.method.MethodProvider} file on the class path (this
 * module's own, or a test's, or another jar's). docs/EXTENDING.md walks through adding one.
 */
public interface MethodProvider {

    /** The method's name on the command line and in results, e.g. "ARM". */
    String name();

    /**
     * Position in tables and in {@link Methods#names()}: lower first. The paper's methods use 10,
     * 20, …, 70; a new method takes a number between or after them.
     */
    int order();

    /**
     * Every option of the method, in the order results.json lists them, with defaults and meanings.
     */
    List<MethodOption> options();

    /**
     * A configured method.
     *
     * @param defaults {@link #options}' defaults on the chosen dataset, by key
     * @param overrides the user's options (unknown keys and bad values: a one-line {@link
     *     IllegalArgumentException} naming the option)
     */
    Method create(Map<String, String> defaults, Map<String, String> overrides);

    /** What a configured method stores beyond its network on {@code data}; null if not counted. */
    default MemoryCost memory(Method method, ContinualData data) {
        return null;
    }

    /**
     * The method's first run id in the authors' commands.txt on the {@code table} dataset (its runs
     * are ids first … first+4), or null when the authors' code has no such runs.
     */
    default Long authorsFirstRunId(String table) {
        return null;
    }

    /**
     * True for buffer methods (ER, ER-MIR): their rows carry the buffer size ("ER-50") and a bare
     * name in a table becomes one row per paper buffer size ({@link Defaults#paperBuffers}).
     */
    default boolean bufferRows() {
        return false;
    }
}
