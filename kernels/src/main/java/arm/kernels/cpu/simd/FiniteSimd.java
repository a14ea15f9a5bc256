package arm.kernels.cpu.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * d[from, to) free of NaN and ±Inf, by vectors ({@link arm.kernels.cpu.Finite#scalar} is the naive
 * twin): x·0 is ±0 for every finite x and NaN for NaN and ±Inf, and NaN survives every addition, so
 * the sum of all x·0 (in any order: four vector accumulators, then the lanes, then the tail) is ±0
 * exactly when the stretch is finite.
 */
public final class FiniteSimd {
    private FiniteSimd() {}

    static final VectorSpecies<Float> S = GemmSimd.S;
    static final int L = S.length();

    public static boolean all(float[] d, int from, int to) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = from;
        for (; i + 4 * L <= to; i += 4 * L) { // four chains: the adds' latency overlaps
            a0 = a0.add(FloatVector.fromArray(S, d, i).mul(0f));
            a1 = a1.add(FloatVector.fromArray(S, d, i + L).mul(0f));
            a2 = a2.add(FloatVector.fromArray(S, d, i + 2 * L).mul(0f));
            a3 = a3.add(FloatVector.fromArray(S, d, i + 3 * L).mul(0f));
        }
        for (; i + L <= to; i += L) a0 = a0.add(FloatVector.fromArray(S, d, i).mul(0f));
        float s = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) s += d[i] * 0f;
        return s == 0f;
    }
}
