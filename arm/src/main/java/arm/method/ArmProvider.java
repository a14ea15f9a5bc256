package arm.method;

import arm.data.ContinualData;
import arm.run.Defaults;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ARM, Automatic Recall Machines (ALGORITHM.md §1.4, §2): {@link RecallMethod} with the recall loss
 * R.
 */
public final class ArmProvider implements MethodProvider {
    private static final List<MethodOption> OPTIONS =
            MethodOption.table(
                    MethodOption.RECALL,
                    DistillProvider.withTail(
                            List.of(
                                    MethodOption.of(
                                            "w_D",
                                            "",
                                            "weight of the divergence term R_D between f_old and"
                                                    + " f_cur on X̂",
                                            "1.0"),
                                    MethodOption.of(
                                            "lambda1",
                                            "λ1",
                                            "weight of R_NL on f_old: X̂ away from the current"
                                                    + " batch's classes",
                                            "1.0"),
                                    MethodOption.of(
                                            "lambda2", "λ2", "weight of R_NL on f_cur", "0.1"),
                                    new MethodOption(
                                            "lambda3",
                                            "λ3",
                                            "weight of R_div: diversity of the recalled classes",
                                            "16.0",
                                            "16.0",
                                            "1.0"),
                                    new MethodOption(
                                            "lambda4",
                                            "λ4",
                                            "weight of R_sharp: f_old confident on X̂",
                                            "0.1",
                                            "0.1",
                                            "1.0"),
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
                                            "0"),
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
                                            "1.0",
                                            "1.0",
                                            "2.0"),
                                    MethodOption.of(
                                            "dedup",
                                            "",
                                            "on | off: repeated draws in X̂ kept once with"
                                                    + " multiplicities (equal up to rounding); off"
                                                    + " computes every copy, as the authors' code",
                                            "on"))));

    @Override
    public String name() {
        return "ARM";
    }

    @Override
    public int order() {
        return 50;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new RecallMethod(name(), false, defaults, dedupDefault(defaults, overrides));
    }

    /**
     * dedup is on by default where it is exact up to rounding; the batch-statistics term (w_bs ≠ 0)
     * is not counted, so with it dedup defaults to off (an explicit dedup=on there is refused).
     */
    static Map<String, String> dedupDefault(
            Map<String, String> defaults, Map<String, String> overrides) {
        if (overrides.containsKey("dedup")) return overrides;
        String wBs = overrides.getOrDefault("w_bs", defaults.getOrDefault("w_bs", "0"));
        try {
            if (Float.parseFloat(wBs.trim()) == 0f) return overrides;
        } catch (NumberFormatException e) {
            return overrides; // RecallMethod names the bad value
        }
        Map<String, String> o = new LinkedHashMap<>(overrides);
        o.put("dedup", "off");
        return o;
    }

    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return MemoryCost.recall(method, data);
    }

    @Override
    public Long authorsFirstRunId(String table) {
        return table.equals(Defaults.MNIST) ? 6579L : null;
    }
}
