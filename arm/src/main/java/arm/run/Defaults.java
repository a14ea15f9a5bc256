package arm.run;

import arm.method.MethodOption;
import arm.method.MethodProvider;
import arm.method.Methods;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The published hyperparameters (the authors' commands.txt = paper Table 4; ALGORITHM.md §2.4, §3)
 * as option maps. Each method declares its options with their defaults per dataset and their
 * meanings in its {@link MethodProvider} ({@link MethodOption}); this class reads them from there.
 */
public final class Defaults {
    /**
     * The datasets with published tables: every other dataset takes one of them ({@code defaults}).
     */
    public static final String MNIST = "mnist", CIFAR10 = "cifar10", MINIIMAGENET = "miniimagenet";

    private Defaults() {}

    /**
     * The defaults of {@code method} (canonical name) with {@code table}'s published
     * hyperparameters.
     */
    public static Map<String, String> of(String method, String table) {
        String d = table(table);
        Map<String, String> o = new LinkedHashMap<>();
        for (MethodOption opt : Methods.provider(method).options())
            o.put(opt.key(), opt.defaultFor(d));
        return o;
    }

    /**
     * The first run id of {@code method} (canonical name) in the authors' commands.txt on {@code
     * dataset}; its runs are ids first … first+4, each id the run's torch seed. Null for methods
     * that are not in the ARM authors' code (ER, ER-MIR) and for datasets whose streams are not
     * replayed here (rng = authors is MNIST's only).
     */
    public static Long authorsFirstRunId(String method, String dataset) {
        if (!dataset.equalsIgnoreCase(MNIST)) return null;
        return Methods.provider(method).authorsFirstRunId(MNIST);
    }

    /**
     * The buffer sizes (total images) of the paper's ER / ER-MIR rows on {@code dataset}, larger
     * first: MNIST 50, 25 (Table 6); CIFAR10 200, 100 (Table 1); MiniImageNet 500, 100 (Table 5).
     */
    public static int[] paperBuffers(String dataset) {
        return switch (table(dataset)) {
            case MNIST -> new int[] {50, 25};
            case CIFAR10 -> new int[] {200, 100};
            default -> new int[] {500, 100};
        };
    }

    /** mnist, cifar10 or miniimagenet as given in any case, or an error naming them. */
    static String table(String dataset) {
        String d = dataset.toLowerCase(java.util.Locale.ROOT);
        if (!d.equals(MNIST) && !d.equals(CIFAR10) && !d.equals(MINIIMAGENET))
            throw new IllegalArgumentException(
                    "unknown dataset '" + dataset + "'; known: mnist, cifar10, miniimagenet");
        return d;
    }
}
