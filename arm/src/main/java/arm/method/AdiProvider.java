package arm.method;

import arm.data.ContinualData;
import arm.run.Defaults;
import java.util.List;
import java.util.Map;

/**
 * ADI, DeepInversion-style recall (ALGORITHM.md §3.3): {@link RecallMethod} refining X̂ toward M
 * past classes instead of ARM's recall loss.
 */
public final class AdiProvider implements MethodProvider {
    private static final List<MethodOption> OPTIONS =
            MethodOption.table(
                    MethodOption.RECALL,
                    DistillProvider.withTail(
                            List.of(
                                    MethodOption.of(
                                            "classes_weight",
                                            "",
                                            "weight of CE(f_old(X̂), chosen past classes)",
                                            "1.0"),
                                    MethodOption.of(
                                            "w_D",
                                            "",
                                            "weight of the divergence term R_D (the authors'"
                                                    + " adaptive_weight)",
                                            "1.0"),
                                    MethodOption.of(
                                            "lambda4",
                                            "λ4",
                                            "weight of R_sharp: f_old confident on X̂",
                                            "0"),
                                    MethodOption.of(
                                            "lambda5",
                                            "λ5",
                                            "weight of R_L2: L2 norm of X̂",
                                            "1.0"),
                                    MethodOption.of(
                                            "lambda6",
                                            "λ6",
                                            "weight of R_TV: total variation of X̂",
                                            "1.0"),
                                    MethodOption.of(
                                            "w_bs",
                                            "",
                                            "weight of the batch-statistics term (BatchNorm models"
                                                    + " only; 0 = off)",
                                            "0",
                                            "0.1"),
                                    MethodOption.of(
                                            "lambda0",
                                            "λ0",
                                            "weight of step B's recalled part softCE(f_cur(X̂),"
                                                    + " softmax(f_old(X̂)))",
                                            "1.0"),
                                    MethodOption.of(
                                            "aux_distill",
                                            "",
                                            "step B's real part λ0_real·softCE(f_cur(X),"
                                                    + " softmax(f_old(X))) on or off",
                                            "true"),
                                    new MethodOption(
                                            "lambda0_real",
                                            "",
                                            "weight of step B's real part",
                                            "0.5",
                                            "1.0",
                                            "2.0"))));

    @Override
    public String name() {
        return "ADI";
    }

    @Override
    public int order() {
        return 40;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new RecallMethod(name(), true, defaults, overrides);
    }

    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return MemoryCost.recall(method, data);
    }

    @Override
    public Long authorsFirstRunId(String table) {
        return table.equals(Defaults.MNIST) ? 6232L : null;
    }
}
