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
  public static final List<String> NAMES = List.of("Naive", "Stationary", "Distill", "ADI", "ARM");

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
    String canonical = canonical(name);
    Map<String, String> defaults = Defaults.of(canonical, dataset);
    return switch (canonical) {
      case "Naive" -> new Naive("Naive", false, defaults, options);
      case "Stationary" -> new Naive("Stationary", true, defaults, options);
      case "Distill" -> new Distill(defaults, options);
      case "ADI" -> new RecallMethod("ADI", true, defaults, options);
      case "ARM" -> new RecallMethod("ARM", false, defaults, options);
      default -> throw new IllegalStateException("no constructor for " + canonical);
    };
  }

  /** The canonical spelling of a method name, or an error listing the known names. */
  public static String canonical(String name) {
    for (String n : NAMES) if (n.equalsIgnoreCase(name)) return n;
    throw new IllegalArgumentException(
        "unknown method '" + name + "'; known: " + String.join(", ", NAMES));
  }
}
