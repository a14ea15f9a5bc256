package arm.method;

import arm.data.ContinualData;
import arm.run.Defaults;
import java.util.List;
import java.util.Map;

/** Naive: plain SGD on the stream, the lower bound (ALGORITHM.md §3.1). */
public final class NaiveProvider implements MethodProvider {
    static final List<MethodOption> OPTIONS =
            MethodOption.table(
                    List.of(
                            MethodOption.of(
                                    "lr",
                                    "η0",
                                    "SGD learning rate",
                                    "0.05",
                                    "0.1"))); // ALGORITHM.md §9 D8

    @Override
    public String name() {
        return "Naive";
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new Naive(name(), false, defaults, overrides);
    }

    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return method.unwrap() instanceof Naive ? MemoryCost.NONE : null;
    }

    @Override
    public Long authorsFirstRunId(String table) {
        return table.equals(Defaults.MNIST) ? 4967L : null;
    }
}
