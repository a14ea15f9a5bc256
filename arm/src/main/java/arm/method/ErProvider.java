package arm.method;

import arm.data.ContinualData;
import arm.run.Defaults;
import java.util.List;
import java.util.Map;

/** ER, experience replay from a reservoir buffer (ALGORITHM.md §12; the choices in {@link ER}). */
public final class ErProvider implements MethodProvider {
    static final List<MethodOption> BUFFER =
            List.of(
                    MethodOption.of(
                            "lr",
                            "η0",
                            "SGD learning rate",
                            "0.05",
                            "0.1"), // MNIST 0.05: the MIR script's value when the paper was written
                    // (ALGORITHM.md §12.6)
                    new MethodOption(
                            "mem",
                            "",
                            "buffer size in images (total, not per class); rows ER-50, ER-25 set"
                                    + " it",
                            Integer.toString(Defaults.paperBuffers(Defaults.MNIST)[0]),
                            Integer.toString(Defaults.paperBuffers(Defaults.CIFAR10)[0]),
                            Integer.toString(Defaults.paperBuffers(Defaults.MINIIMAGENET)[0])),
                    MethodOption.of("M", "M", "replayed batch size", "10"),
                    MethodOption.of(
                            "iters",
                            "",
                            "updates per incoming batch (the MIR code's disc_iters)",
                            "1"),
                    MethodOption.of(
                            "reservoir",
                            "",
                            "exact (algorithm R) | mir (the MIR code's per-batch draw)",
                            "exact"));
    private static final List<MethodOption> OPTIONS = MethodOption.table(BUFFER);

    @Override
    public String name() {
        return "ER";
    }

    @Override
    public int order() {
        return 60;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new ER(name(), defaults, overrides);
    }

    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return MemoryCost.buffer(method, data);
    }

    @Override
    public boolean bufferRows() {
        return true;
    }
}
