package arm.method;

import arm.data.ContinualData;
import java.util.SplittableRandom;

/**
 * What a method keeps beyond the network it trains, counted as the paper's tables count it
 * (appendix A.4): stored images at 1 byte per grey or RGB value ("+sample mem"), stored models at 4
 * bytes per parameter ("+model mem"), and M, the replayed or recalled batch size.
 *
 * <ul>
 *   <li>ER, ER-MIR: {@code mem} images, no model, M replayed.
 *   <li>Distill, ADI, ARM: one copy of the network (f_old), M recalled (Distill: the N real images
 *       it distils). With unit lag the paper counts no model memory (f_old is f_cur at the start of
 *       the iteration, Table 2's discussion), so neither do we.
 *   <li>Naive, Stationary: nothing.
 * </ul>
 *
 * @param sampleImages images stored
 * @param sampleBytes their bytes (images × values per image)
 * @param modelParams parameters stored
 * @param modelBytes 4 × modelParams
 * @param m M (0 for Naive)
 */
public record MemoryCost(
        long sampleImages, long sampleBytes, long modelParams, long modelBytes, int m) {

    public static final MemoryCost NONE = new MemoryCost(0, 0, 0, 0, 0);

    /**
     * The cost of {@code method} on {@code data}, as its {@link MethodProvider#memory} counts it;
     * null for a method the registry does not know or that is not counted.
     */
    public static MemoryCost of(Method method, ContinualData data) {
        MethodProvider p;
        try {
            p = Methods.provider(method.name());
        } catch (IllegalArgumentException e) {
            return null;
        }
        return p.memory(method, data);
    }

    /**
     * A buffer method's: {@code mem} images, no model, M replayed; null if it is not an {@link ER}.
     */
    static MemoryCost buffer(Method method, ContinualData data) {
        if (!(method.unwrap() instanceof ER er)) return null;
        return new MemoryCost(er.mem, (long) er.mem * data.train().itemSize(), 0, 0, er.m);
    }

    /** A recall method's: f_old and its option M; null if it is not a {@link RecallMethod}. */
    static MemoryCost recall(Method method, ContinualData data) {
        if (!(method.unwrap() instanceof RecallMethod)) return null;
        return oldModel(method, data, Integer.parseInt(method.unwrap().options().get("M")));
    }

    /** One copy of the network (f_old), none with unit lag, and M = {@code m}. */
    static MemoryCost oldModel(Method method, ContinualData data, int m) {
        method = method.unwrap();
        if ("unit".equals(method.options().get("lag"))) return new MemoryCost(0, 0, 0, 0, m);
        long params = modelParams(method, data);
        return new MemoryCost(0, 0, params, 4 * params, m);
    }

    /** Parameters of the network the method trains (built once and dropped). */
    static long modelParams(Method method, ContinualData data) {
        var o = method.options();
        int hidden = Integer.parseInt(o.get("mlp_hidden")),
                nf = Integer.parseInt(o.get("resnet_nf"));
        return Models.create(o.get("model"), hidden, nf, data, new SplittableRandom(0))
                .parameterCount();
    }

    /** Megabytes as the paper prints them (10^6 bytes: 478,410 params → 1.91 MB). */
    public static double megabytes(long bytes) {
        return bytes / 1e6;
    }
}
