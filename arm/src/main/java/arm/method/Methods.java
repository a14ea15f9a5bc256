package arm.method;

import arm.run.Defaults;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * The method registry: name → configured {@link Method}. The methods are the {@link
 * MethodProvider}s on the class path ({@link java.util.ServiceLoader}; docs/EXTENDING.md). Defaults
 * are the published hyperparameters (the authors' commands.txt); {@code options} override them by
 * name.
 *
 * <p>Each method parses its own options, rejects unknown keys and nonsensical values (M ≤ 0,
 * negative rates, …) with a one-line {@link IllegalArgumentException} naming the option and value;
 * the CLI prints that line and exits 2.
 */
public final class Methods {

    /** Every registered method, in table order ({@link MethodProvider#order}), by name. */
    private static final Map<String, MethodProvider> PROVIDERS = load();

    /**
     * The names accepted by {@link #create}, in table order: the paper's seven, then any method
     * registered beside them ({@link MethodProvider}). The same as {@link #names()}.
     */
    public static final List<String> NAMES = List.copyOf(PROVIDERS.keySet());

    /**
     * The paper's methods, in its table order: what {@code reproduce} runs unless told otherwise. A
     * method registered beside them runs when named (--methods, --method).
     */
    public static final List<String> PAPER =
            List.of("Naive", "Stationary", "Distill", "ADI", "ARM", "ER", "ER-MIR");

    /**
     * The rows {@code reproduce DATASET} runs unless told otherwise: {@link #PAPER}, and on MNIST
     * also the generative baselines GEN and GEN-MIR (Table 6; the MIR code's configurations exist
     * for MNIST only); on CIFAR10 also iCaRL and GEM (Table 1).
     */
    public static List<String> paper(String dataset) {
        List<String> out = new ArrayList<>(PAPER);
        if (dataset.equals(Defaults.MNIST)) out.addAll(List.of("GEN", "GEN-MIR"));
        // Table 1's iCarl (5 iter) and GEM rows (docs/REPRODUCE.md "iCaRL and GEM")
        if (dataset.equals(Defaults.CIFAR10)) out.addAll(List.of("iCaRL", "GEM"));
        return List.copyOf(out);
    }

    /** A buffer method's row: its name, a dash and the buffer size in images ("ER-MIR-25"). */
    private static final Pattern ROW =
            Pattern.compile(
                    "(?i)("
                            + String.join(
                                    "|", bufferMethods().stream().map(Pattern::quote).toList())
                            + ")-(\\d{1,9})");

    private Methods() {}

    private static Map<String, MethodProvider> load() {
        List<MethodProvider> all = new ArrayList<>();
        ServiceLoader.load(MethodProvider.class, Methods.class.getClassLoader()).forEach(all::add);
        all.sort(
                Comparator.comparingInt(MethodProvider::order).thenComparing(MethodProvider::name));
        Map<String, MethodProvider> out = new LinkedHashMap<>();
        for (MethodProvider p : all) {
            for (String n : out.keySet())
                if (n.equalsIgnoreCase(p.name()))
                    throw new IllegalStateException("two methods are registered as " + p.name());
            out.put(p.name(), p);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Every registered method name, in table order. */
    public static List<String> names() {
        return NAMES;
    }

    /** The buffer methods (ER, ER-MIR): rows "ER-50", "ER-MIR-25" carry the buffer size. */
    public static List<String> bufferMethods() {
        return PROVIDERS.values().stream()
                .filter(MethodProvider::bufferRows)
                .map(MethodProvider::name)
                .toList();
    }

    /**
     * The provider of a method, by canonical name or row ("ER-50"), or an error listing the known
     * names.
     */
    public static MethodProvider provider(String name) {
        MethodProvider p = PROVIDERS.get(base(canonical(name)));
        if (p == null) throw new IllegalArgumentException("no provider for method " + name);
        return p;
    }

    /**
     * A configured method.
     *
     * @param name one of {@link #NAMES} (case-insensitive)
     * @param options overrides of the method's defaults, e.g. {"M": "20", "lr": "0.05"}
     * @throws IllegalArgumentException unknown name or option, or a bad value
     */
    public static Method create(String name, Map<String, String> options) {
        return create(name, Defaults.MNIST, options);
    }

    /**
     * A configured method with the published defaults of {@code dataset} ({@link Defaults}: mnist,
     * cifar10, miniimagenet) overridden by {@code options}.
     *
     * @throws IllegalArgumentException unknown name, dataset or option, or a bad value
     */
    public static Method create(String name, String dataset, Map<String, String> options) {
        String canonical = canonical(name), base = base(canonical);
        Map<String, String> defaults = Defaults.of(base, dataset);
        if (!base.equals(canonical)) options = withBuffer(canonical, options);
        return PROVIDERS.get(base).create(defaults, options);
    }

    /**
     * The canonical spelling of a method name ("arm" → "ARM", "er-mir-25" → "ER-MIR-25"), or an
     * error listing the known names.
     */
    public static String canonical(String name) {
        for (String n : NAMES) if (n.equalsIgnoreCase(name)) return n;
        var row = ROW.matcher(name);
        if (row.matches()) {
            int images = Integer.parseInt(row.group(2));
            if (images <= 0)
                throw new IllegalArgumentException(
                        "buffer size in '" + name + "' must be positive");
            return canonical(row.group(1)) + "-" + images;
        }
        throw new IllegalArgumentException(
                "unknown method '"
                        + name
                        + "'; known: "
                        + String.join(", ", NAMES)
                        + " ("
                        + String.join(" and ", bufferMethods())
                        + " also with the buffer size, e.g. ER-50)");
    }

    /** The method of a canonical row name: "ER-MIR-25" → "ER-MIR"; other names unchanged. */
    public static String base(String canonical) {
        var row = ROW.matcher(canonical);
        return row.matches() ? canonical(row.group(1)) : canonical;
    }

    /**
     * The rows of a table: every bare buffer method becomes one row per paper buffer size ({@link
     * Defaults#paperBuffers}), e.g. "ER" → "ER-50", "ER-25" on MNIST; other names (also unknown
     * ones, for the caller to reject) pass through as typed.
     */
    public static List<String> tableRows(List<String> names, String dataset) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String c;
            try {
                c = canonical(n.trim());
            } catch (IllegalArgumentException e) {
                out.add(n);
                continue;
            }
            if (bufferMethods().contains(c))
                for (int mem : Defaults.paperBuffers(dataset)) out.add(c + "-" + mem);
            else out.add(n);
        }
        return out;
    }

    /** The options with mem set from the row name; a different mem given as well is an error. */
    private static Map<String, String> withBuffer(String row, Map<String, String> options) {
        String mem = row.substring(base(row).length() + 1), given = options.get("mem");
        if (given != null && !given.trim().equals(mem))
            throw new IllegalArgumentException(
                    row + " has a buffer of " + mem + " images, but option mem is '" + given + "'");
        Map<String, String> out = new LinkedHashMap<>(options);
        out.put("mem", mem);
        return out;
    }
}
