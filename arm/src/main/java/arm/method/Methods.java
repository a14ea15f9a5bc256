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
    String canonical = canonical(name);
    // The methods side replaces this switch body with the real constructors, e.g.
    //   case "Naive" -> Naive.create(options);
    switch (canonical) {
      default:
        throw new IllegalArgumentException(
            "method " + canonical + " is not implemented yet in this build");
    }
  }

  /** The canonical spelling of a method name, or an error listing the known names. */
  public static String canonical(String name) {
    for (String n : NAMES) if (n.equalsIgnoreCase(name)) return n;
    throw new IllegalArgumentException(
        "unknown method '" + name + "'; known: " + String.join(", ", NAMES));
  }
}
