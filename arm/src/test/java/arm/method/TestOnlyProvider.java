package arm.method;

import arm.data.ContinualData;
import arm.nn.Module;
import arm.nn.Sgd;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A method defined only in test code and registered through the test resources'
 * META-INF/services/arm.method.MethodProvider: step A taken {@code repeats} times per batch. It
 * shows that a method is one class and one line in a services file (docs/EXTENDING.md).
 */
public final class TestOnlyProvider implements MethodProvider {
    private static final List<MethodOption> OPTIONS =
            MethodOption.table(
                    List.of(
                            MethodOption.of("lr", "η0", "SGD learning rate", "0.05", "0.1"),
                            MethodOption.of(
                                    "repeats", "", "SGD steps on each incoming batch", "2")));

    @Override
    public String name() {
        return "TestOnly";
    }

    @Override
    public int order() {
        return 1000;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new Repeated(defaults, overrides);
    }

    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return MemoryCost.NONE;
    }

    /** The method: the shared loop ({@link ContinualMethod}) with a learner of a few lines. */
    static final class Repeated extends ContinualMethod {
        private final int repeats;

        Repeated(Map<String, String> defaults, Map<String, String> overrides) {
            super("TestOnly", defaults, overrides);
            repeats = opts.positiveInt("repeats");
        }

        @Override
        Learner learner(Module fCur, Sgd opt, ContinualData data, SplittableRandom rng) {
            return b -> {
                for (int i = 0; i < repeats; i++) realStep(fCur, opt, b);
            };
        }
    }
}
