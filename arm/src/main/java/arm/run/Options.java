package arm.run;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A method's options: its defaults overridden by the user's map, read back typed and validated.
 * Every error is one line naming the method, the option and the value, e.g. "ARM option M must be a
 * positive integer, got 0".
 */
public final class Options {
    /** Value of T, recall_from_t and eval_every meaning "the number of batches per task". */
    public static final String TASK = "task";

    private final String method;
    private final Map<String, String> values = new LinkedHashMap<>();

    public Options(String method, Map<String, String> defaults, Map<String, String> overrides) {
        this.method = method;
        values.putAll(defaults);
        for (var e : overrides.entrySet()) {
            if (!defaults.containsKey(e.getKey()))
                throw new IllegalArgumentException(
                        method
                                + " has no option '"
                                + e.getKey()
                                + "'; known: "
                                + String.join(", ", defaults.keySet()));
            values.put(e.getKey(), e.getValue().trim());
        }
    }

    /** Defaults plus overrides, in the defaults' order. */
    public Map<String, String> resolved() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public String raw(String key) {
        String v = values.get(key);
        if (v == null)
            throw new IllegalStateException(method + ": option " + key + " has no default");
        return v;
    }

    /** A finite float ≥ 0 (learning rates, step sizes, loss weights). */
    public float nonNegative(String key) {
        float v;
        try {
            v = Float.parseFloat(raw(key));
        } catch (NumberFormatException e) {
            throw bad(key, "a number");
        }
        if (!(v >= 0) || Float.isInfinite(v)) throw bad(key, "a finite number >= 0");
        return v;
    }

    public int positiveInt(String key) {
        int v = integer(key);
        if (v <= 0) throw bad(key, "a positive integer");
        return v;
    }

    public int nonNegativeInt(String key) {
        int v = integer(key);
        if (v < 0) throw bad(key, "an integer >= 0");
        return v;
    }

    /**
     * A positive integer, or {@link #TASK} (returned as −1): resolved to batches per task later.
     */
    public int positiveOrTask(String key) {
        return TASK.equals(raw(key)) ? -1 : positiveInt(key);
    }

    /** An integer ≥ 0, or {@link #TASK} (returned as −1). */
    public int nonNegativeOrTask(String key) {
        return TASK.equals(raw(key)) ? -1 : nonNegativeInt(key);
    }

    public boolean flag(String key) {
        String v = raw(key).toLowerCase();
        if (v.equals("true") || v.equals("1") || v.equals("on")) return true;
        if (v.equals("false") || v.equals("0") || v.equals("off")) return false;
        throw bad(key, "true or false");
    }

    public String choice(String key, String... allowed) {
        String v = raw(key).toLowerCase();
        for (String a : allowed) if (a.equals(v)) return a;
        throw bad(key, "one of " + String.join(", ", allowed));
    }

    private int integer(String key) {
        try {
            return Integer.parseInt(raw(key));
        } catch (NumberFormatException e) {
            throw bad(key, "an integer");
        }
    }

    public IllegalArgumentException bad(String key, String what) {
        return new IllegalArgumentException(
                method + " option " + key + " must be " + what + ", got '" + values.get(key) + "'");
    }
}
