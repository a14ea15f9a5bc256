package arm.method;

import arm.data.ContinualData;
import java.util.List;
import java.util.Map;

/**
 * GEN-MIR, generative replay of maximally interfered samples searched in the VAE's latent space
 * ({@link GenMir}). Defaults: the MIR script's split-MNIST "acc" configuration of mir_gen for both
 * the classifier and the generator; coefficients it does not set are 0.
 */
public final class GenMirProvider implements MethodProvider {
    private static final List<MethodOption> OPTIONS =
            MethodOption.table(
                    GenProvider.shared(true),
                    List.of(
                            MethodOption.of(
                                    "mir_iters",
                                    "",
                                    "gradient-ascent steps per search round",
                                    "10"),
                            MethodOption.of(
                                    "mir_init",
                                    "",
                                    "start codes: prior (N(0, I)) | posterior (G_prev's of X)",
                                    "prior"),
                            MethodOption.of(
                                    "cls_retrieval",
                                    "",
                                    "classifier replay: mir (searched) | random (GEN's)",
                                    "mir"),
                            MethodOption.of(
                                    "gen_retrieval",
                                    "",
                                    "generator replay: mir (searched) | random (GEN's)",
                                    "mir"),
                            MethodOption.of(
                                    "cls_xent", "", "classifier gain: interference weight", "0.1"),
                            MethodOption.of("cls_ent", "", "classifier gain: entropy penalty", "1"),
                            MethodOption.of(
                                    "cls_div", "", "classifier gain: diversity weight", "1"),
                            MethodOption.of(
                                    "cls_shell",
                                    "",
                                    "classifier gain: Gaussian-shell penalty",
                                    "0"),
                            MethodOption.of(
                                    "gen_kl", "", "generator gain: KL interference weight", "0.1"),
                            MethodOption.of(
                                    "gen_rec",
                                    "",
                                    "generator gain: reconstruction interference weight",
                                    "0"),
                            MethodOption.of("gen_ent", "", "generator gain: entropy penalty", "1"),
                            MethodOption.of("gen_div", "", "generator gain: diversity weight", "1"),
                            MethodOption.of(
                                    "gen_shell",
                                    "",
                                    "generator gain: Gaussian-shell penalty",
                                    "0")));

    @Override
    public String name() {
        return "GEN-MIR";
    }

    @Override
    public int order() {
        return 90;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new GenMir(defaults, overrides);
    }

    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return GenProvider.cost(method, data);
    }
}
