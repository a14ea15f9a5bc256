package arm.method;

import arm.data.ContinualData;
import arm.run.Defaults;
import java.util.List;
import java.util.Map;

/** GEM, gradient episodic memory (docs/ALGORITHM.md "GEM"; the choices in {@link Gem}). */
public final class GemProvider implements MethodProvider {
    private static final List<MethodOption> OPTIONS =
            MethodOption.table(
                    List.of(
                            MethodOption.of("lr", "η0", "SGD learning rate", "0.05", "0.1"),
                            new MethodOption(
                                    "mem",
                                    "",
                                    "episodic memory in images, all tasks together (mem / tasks"
                                            + " per task)",
                                    Integer.toString(Defaults.paperBuffers(Defaults.MNIST)[0]),
                                    Integer.toString(Defaults.paperBuffers(Defaults.CIFAR10)[0]),
                                    Integer.toString(
                                            Defaults.paperBuffers(Defaults.MINIIMAGENET)[0])),
                            MethodOption.of("iters", "", "updates per incoming batch", "1"),
                            MethodOption.of(
                                    "margin",
                                    "",
                                    "dual variables ≥ margin (the GEM code's memory_strength)",
                                    "0.5"),
                            MethodOption.of("eps", "ε", "added to the diagonal of G Gᵀ", "0.001")));

    @Override
    public String name() {
        return "GEM";
    }

    @Override
    public int order() {
        return 76;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new Gem(name(), defaults, overrides);
    }

    /** mem images (whole tasks' shares: mem rounded down to a multiple of the tasks), no model. */
    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        if (!(method.unwrap() instanceof Gem g)) return null;
        long images = (long) g.perTask(data) * data.numTasks();
        return new MemoryCost(images, images * data.train().itemSize(), 0, 0, 0);
    }
}
