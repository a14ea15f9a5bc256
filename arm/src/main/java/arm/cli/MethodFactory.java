package arm.cli;

import arm.method.Method;
import java.util.Map;

/** How the CLI gets a configured method: {@code Methods::create} in production, fakes in tests. */
@FunctionalInterface
public interface MethodFactory {
  /** @throws IllegalArgumentException unknown method or option, or a bad value (one line) */
  Method create(String name, Map<String, String> options);
}
