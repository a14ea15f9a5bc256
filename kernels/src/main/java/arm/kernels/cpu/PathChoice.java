package arm.kernels.cpu;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one rule behind {@code -Darm.gemm}, {@code -Darm.conv} and {@code -Darm.bn}: a forced path is
 * parsed case-insensitively (an unknown name is a one-line error listing the known ones), and the
 * path that runs on the Vector API is refused when the JVM lacks it; no forced path gives the
 * family's default.
 */
final class PathChoice {
    private PathChoice() {}

    /**
     * @param property the system property's name, e.g. "arm.bn"
     * @param forced its value, or null / blank when not set
     * @param vectorPath the path that needs the Vector API (null when none does)
     * @param vectorApi whether the Vector API is usable in this JVM
     * @param fallback the path when none is forced
     */
    static <E extends Enum<E>> E choose(
            String property,
            String forced,
            Class<E> paths,
            E vectorPath,
            boolean vectorApi,
            E fallback) {
        if (forced == null || forced.isBlank()) return fallback;
        E p;
        try {
            p = Enum.valueOf(paths, forced.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String known =
                    Arrays.stream(paths.getEnumConstants())
                            .map(v -> v.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", "));
            throw new IllegalArgumentException(
                    "-D" + property + "=" + forced + ": expected one of " + known, e);
        }
        if (p == vectorPath && !vectorApi)
            throw new IllegalStateException(
                    "-D"
                            + property
                            + "="
                            + forced.trim()
                            + " needs the Vector API (java --add-modules jdk.incubator.vector)");
        return p;
    }
}
