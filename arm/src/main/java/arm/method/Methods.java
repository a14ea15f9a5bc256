package arm.method;

import java.util.List;
import java.util.Map;

/**
 * The method registry: name → configured {@link Method}. Defaults are the published MNIST
 * hyperparameters (the authors' commands.txt); {@code options} override them by name.
 *
 * <p>For the methods side: fill in {@link #create}. Each method parses its own options, rejects
 * unknown keys and nonsensical values (M ≤ 0, negative rates, …) with a one-line {@link
 * IllegalArgumentException} naming the option and value; the CLI prints that line and exits 2.
 */
public final class Methods {

  /** The names accepted by {@link #create}, in the paper's table order. */
  public static final List<String> NAMES =
      List.of("Naive", "Stationary", "Distill", "ADI", "ARM", "ER", "ER-MIR");

  /**
   * The buffer methods. Their rows (method names in results and tables) carry the buffer size in
   * images: "ER-50", "ER-MIR-25"; {@link #canonical} accepts either form, {@link #base} strips the
   * size.
   */
  public static final List<String> BUFFER_METHODS = List.of("ER", "ER-MIR");

  private static final java.util.regex.Pattern ROW =
      java.util.regex.Pattern.compile("(?i)(ER|ER-MIR)-(\\d{1,9})");

  private Methods() {}

  /**
   * A configured method.
   *
   * @param name    one of {@link #NAMES} (case-insensitive)
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
    return switch (base) {
      case "Naive" -> new Naive("Naive", false, defaults, options);
      case "Stationary" -> new Naive("Stationary", true, defaults, options);
      case "Distill" -> new Distill(defaults, options);
      case "ADI" -> new RecallMethod("ADI", true, defaults, options);
      case "ARM" -> new RecallMethod("ARM", false, defaults, options);
      case "ER" -> new ER("ER", defaults, options);
      case "ER-MIR" -> new ErMir(defaults, options);
      default -> throw new IllegalStateException("no constructor for " + canonical);
    };
  }

  /**
   * The canonical spelling of a method name ("arm" → "ARM", "er-mir-25" → "ER-MIR-25"), or an error
   * listing the known names.
   */
  public static String canonical(String name) {
    for (String n : NAMES) if (n.equalsIgnoreCase(name)) return n;
    var row = ROW.matcher(name);
    if (row.matches()) {
      int images = Integer.parseInt(row.group(2));
      if (images <= 0) throw new IllegalArgumentException("buffer size in '" + name + "' must be positive");
      return row.group(1).toUpperCase() + "-" + images;
    }
    throw new IllegalArgumentException(
        "unknown method '" + name + "'; known: " + String.join(", ", NAMES)
            + " (ER and ER-MIR also as ER-50, ER-MIR-25, … with the buffer size)");
  }

  /** The method of a canonical row name: "ER-MIR-25" → "ER-MIR"; other names unchanged. */
  public static String base(String canonical) {
    var row = ROW.matcher(canonical);
    return row.matches() ? row.group(1).toUpperCase() : canonical;
  }

  /**
   * The rows of a table: every bare buffer method becomes one row per paper buffer size
   * ({@link Defaults#paperBuffers}), e.g. "ER" → "ER-50", "ER-25" on MNIST; other names (also
   * unknown ones, for the caller to reject) pass through as typed.
   */
  public static List<String> tableRows(List<String> names, String dataset) {
    List<String> out = new java.util.ArrayList<>();
    for (String n : names) {
      String c;
      try {
        c = canonical(n.trim());
      } catch (IllegalArgumentException e) {
        out.add(n);
        continue;
      }
      if (BUFFER_METHODS.contains(c)) for (int mem : Defaults.paperBuffers(dataset)) out.add(c + "-" + mem);
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
    Map<String, String> out = new java.util.LinkedHashMap<>(options);
    out.put("mem", mem);
    return out;
  }
}
