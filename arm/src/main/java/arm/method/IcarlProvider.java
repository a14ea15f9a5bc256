package arm.method;

import arm.data.ContinualData;
import arm.run.Defaults;
import java.util.List;
import java.util.Map;

/**
 * iCaRL: herding exemplars, distillation, nearest-mean classifier (the choices in {@link Icarl}).
 */
public final class IcarlProvider implements MethodProvider {
    private static final List<MethodOption> OPTIONS =
            MethodOption.table(
                    List.of(
                            MethodOption.of("lr", "η0", "SGD learning rate", "0.05", "0.1"),
                            new MethodOption(
                                    "mem",
                                    "",
                                    "exemplars in images, all classes together (mem / classes"
                                            + " seen per class)",
                                    Integer.toString(Defaults.paperBuffers(Defaults.MNIST)[0]),
                                    Integer.toString(Defaults.paperBuffers(Defaults.CIFAR10)[0]),
                                    Integer.toString(
                                            Defaults.paperBuffers(Defaults.MINIIMAGENET)[0])),
                            MethodOption.of(
                                    "iters",
                                    "",
                                    "updates per incoming batch (Table 1's \"5 iter\")",
                                    "5"),
                            MethodOption.of(
                                    "lambda",
                                    "",
                                    "weight of the distillation term (the GEM code's"
                                            + " memory_strength)",
                                    "1")));

    @Override
    public String name() {
        return "iCaRL";
    }

    @Override
    public int order() {
        return 74;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new Icarl(name(), defaults, overrides);
    }

    /** mem exemplar images, no model (the stored logits of the exemplars are not counted). */
    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        if (!(method.unwrap() instanceof Icarl i)) return null;
        return new MemoryCost(i.mem, (long) i.mem * data.train().itemSize(), 0, 0, 0);
    }
}
