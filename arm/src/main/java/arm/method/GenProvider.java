package arm.method;

import arm.data.ContinualData;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * GEN, generative replay with a VAE ({@link Gen}; docs/REPRODUCE.md "GEN and GEN-MIR"). Defaults:
 * on MNIST the MIR script's split-MNIST "acc" configuration of its baseline; on CIFAR10 and
 * MiniImageNet z_size and n_mem as the paper's memory and M columns imply, the rest our choice
 * (docs/ALGORITHM.md "GEN and GEN-MIR on natural images").
 */
public final class GenProvider implements MethodProvider {
    /** The options GEN and GEN-MIR share; {@code mir} picks GEN-MIR's published values. */
    static List<MethodOption> shared(boolean mir) {
        return List.of(
                MethodOption.of("lr", "η0", "classifier SGD learning rate", "0.01", "0.1"),
                MethodOption.of(
                        "gen_lr", "", "VAE Adam learning rate (PyTorch's default)", "0.001"),
                MethodOption.of("gen_iters", "", "generator updates per incoming batch", "15"),
                MethodOption.of("cls_iters", "", "classifier updates per incoming batch", "15"),
                new MethodOption( // M = 40 / 100 (Table 6), 100 / 40 (Table 1), 10 / 20 (Table 5)
                        "n_mem",
                        "",
                        "replayed batches: M = N·n_mem samples",
                        mir ? "10" : "4",
                        mir ? "4" : "10",
                        mir ? "2" : "1"),
                MethodOption.of("mem_coeff", "", "weight of the replay losses", "3"),
                new MethodOption( // the memory columns' 8.63M / 9.50M (Table 1), 27.1M (Table 5)
                        "z_size", "", "VAE latent size", "50", mir ? "100" : "50", "100"),
                MethodOption.of("gen_hidden", "", "MLP VAE hidden width (MNIST)", "128"),
                MethodOption.of(
                        "gen_depth",
                        "",
                        "MLP VAE hidden layers in encoder and decoder each (MNIST)",
                        mir ? "1" : "2"),
                MethodOption.of(
                        "dropout", "", "MLP VAE dropout probability (MNIST)", mir ? "0.4" : "0"),
                MethodOption.of(
                        "cls_dropout",
                        "",
                        "gated classifier dropout probability (MNIST; fixed in the MIR code)",
                        "0.2"),
                MethodOption.of("max_beta", "β", "largest KL weight of the VAE loss", "1"),
                MethodOption.of(
                        "warmup",
                        "",
                        "samples of a task over which β rises to max_beta (0: max_beta at once)",
                        "1000"),
                MethodOption.of(
                        "reuse_samples",
                        "",
                        "draw the replay once per batch and reuse it in every update",
                        "true"));
    }

    private static final List<MethodOption> OPTIONS = MethodOption.table(shared(false));

    @Override
    public String name() {
        return "GEN";
    }

    @Override
    public int order() {
        return 80;
    }

    @Override
    public List<MethodOption> options() {
        return OPTIONS;
    }

    @Override
    public Method create(Map<String, String> defaults, Map<String, String> overrides) {
        return new Gen(name(), defaults, overrides);
    }

    @Override
    public MemoryCost memory(Method method, ContinualData data) {
        return cost(method, data);
    }

    /**
     * GEN's and GEN-MIR's: two VAEs (G and G_prev) and f_prev, counted as the paper counts them
     * (the classifier being trained is not), and M = N·n_mem; null for another method.
     */
    static MemoryCost cost(Method method, ContinualData data) {
        if (!(method.unwrap() instanceof Gen g)) return null;
        SplittableRandom r = new SplittableRandom(0);
        long vae = g.vae(data, r).parameterCount();
        long cls = g.model(data, r, 0).parameterCount();
        long params = 2 * vae + cls;
        return new MemoryCost(0, 0, params, 4 * params, g.replayed(data));
    }
}
