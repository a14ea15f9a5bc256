package arm.method;

import arm.data.ContinualData;
import arm.run.Defaults;
import java.util.List;
import java.util.Map;

/**
 * Stationary: Naive's SGD on one shuffled pass over the same samples, the upper bound (ALGORITHM.md
 * §3.1).
 */
public final class StationaryProvider implements MethodProvider {

    @Override
    public String name() {
        return "Stationary";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public List<MethodOption> options() {
        return NaiveProvider.OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new Naive(name(), true, defaults, overrides);
    }

    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return method.unwrap() instanceof Naive ? MemoryCost.NONE : null;
    }

    @Override
    public Long authorsFirstRunId(String table) {
        return table.equals(Defaults.MNIST) ? 4947L : null;
    }
}
