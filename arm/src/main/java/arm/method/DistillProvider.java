package arm.method;

import arm.data.ContinualData;
import arm.run.Defaults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Distill: step A plus distillation from f_old on the real batch, LwF-style (ALGORITHM.md §3.2).
 */
public final class DistillProvider implements MethodProvider {
    private static final List<MethodOption> OPTIONS =
            MethodOption.table(
                    List.of(
                            MethodOption.of("lr", "η0", "SGD learning rate", "0.05", "0.01"),
                            new MethodOption(
                                    "lambda0_real",
                                    "",
                                    "weight of the distillation step softCE(f_cur(X),"
                                            + " softmax(f_old(X)))",
                                    "1.0",
                                    "1.0",
                                    "2.0")),
                    MethodOption.LAG);

    @Override
    public String name() {
        return "Distill";
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new Distill(defaults, overrides);
    }

    /** f_old, and the N real images it distils on as M. */
    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return method.unwrap() instanceof Distill
                ? MemoryCost.oldModel(method, data, data.batchSize())
                : null;
    }

    @Override
    public Long authorsFirstRunId(String table) {
        return table.equals(Defaults.MNIST) ? 6102L : null;
    }

    /** {@code head}, then the step-B tail of ADI and ARM: hard_targets and the lag rule. */
    static List<MethodOption> withTail(List<MethodOption> head) {
        List<MethodOption> out = new ArrayList<>(head);
        out.add(
                MethodOption.of(
                        "hard_targets",
                        "",
                        "argmax targets for recalled images instead of f_old's softmax",
                        "false"));
        out.addAll(MethodOption.LAG);
        return out;
    }
}
